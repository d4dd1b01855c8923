import Foundation
import Testing

@Suite("dnsctl against a running registry-dev", .serialized)
struct DnsctlCommandTests {
    @Test func addGetAndDeleteServices() throws {
        let registry = try RegistryProcess()
        defer { registry.stop() }
        let server = registry.server

        let web = try dnsctl(["add-service", "web", "--port", "http:80:8080", "--port", "https:443", "--selector", "app=web"], server: server)
        #expect(web.status == 0, "\(web)")
        #expect(web.lines == ["service/web created (cluster IP 10.96.0.1)"])

        let db = try dnsctl(["add-service", "db", "-n", "prod", "--cluster-ip", "None", "--port", "5432"], server: server)
        #expect(db.lines == ["namespace/prod created", "service/db created (cluster IP None)"], "\(db)")
        let ext = try dnsctl(["add-service", "ext", "-n", "prod", "--type", "ExternalName", "--external-name", "example.com"], server: server)
        #expect(ext.status == 0, "\(ext)")
        let node = try dnsctl(["add-service", "np", "--type", "NodePort", "--port", "80/UDP", "--node-port", "30080"], server: server)
        #expect(node.status == 0, "\(node)")

        let table = try dnsctl(["get", "services"], server: server)
        #expect(table.status == 0)
        #expect(rows(table.stdout) == [
            "NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S)",
            "np NodePort 10.96.0.2 <none> 80:30080/UDP",
            "web ClusterIP 10.96.0.1 <none> 80/TCP,443/TCP",
        ], "\(table)")

        let wide = try dnsctl(["get", "svc", "-A", "-o", "wide"], server: server)
        #expect(rows(wide.stdout) == [
            "NAMESPACE NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) SELECTOR",
            "default np NodePort 10.96.0.2 <none> 80:30080/UDP <none>",
            "default web ClusterIP 10.96.0.1 <none> 80/TCP,443/TCP app=web",
            "prod db ClusterIP None <none> 5432/TCP <none>",
            "prod ext ExternalName <none> example.com <none> <none>",
        ], "\(wide)")

        let json = try dnsctl(["get", "services", "-n", "prod", "-o", "json"], server: server)
        let list = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(list?["kind"] as? String == "List")
        let names = (list?["items"] as? [[String: Any]])?.compactMap { ($0["metadata"] as? [String: Any])?["name"] as? String }
        #expect(names == ["db", "ext"])

        let yaml = try dnsctl(["get", "services", "-n", "prod", "-o", "yaml"], server: server)
        #expect(yaml.status == 0)
        #expect(yaml.stdout.contains("externalName: example.com"))
        #expect(yaml.stdout.hasPrefix("apiVersion: v1\nitems:\n"))

        let namespaces = try dnsctl(["get", "namespaces"], server: server)
        #expect(rows(namespaces.stdout) == ["NAME STATUS", "default Active", "kube-public Active", "kube-system Active", "prod Active"])

        let empty = try dnsctl(["get", "services", "-n", "kube-system"], server: server)
        #expect(empty.status == 0 && empty.stdout.isEmpty)
        #expect(empty.stderr == "No resources found in kube-system namespace.\n")

        let deleted = try dnsctl(["delete-service", "web"], server: server)
        #expect(deleted.status == 0 && deleted.lines == ["service/web deleted"])
        let again = try dnsctl(["delete-service", "web"], server: server)
        #expect(again.status == 1)
        #expect(again.stderr == "dnsctl: services \"web\" not found\n")
    }

    @Test func invalidServicesFailWithTheServersMessage() throws {
        let registry = try RegistryProcess()
        defer { registry.stop() }
        let bad = try dnsctl(["add-service", "Web_1", "--port", "0"], server: registry.server)
        #expect(bad.status == 1)
        #expect(bad.stdout.isEmpty)
        #expect(bad.stderr.hasPrefix("dnsctl: Service \"Web_1\" is invalid: [metadata.name: Invalid value: \"Web_1\""), "\(bad)")
        #expect(bad.stderr.contains("spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive"))
        let outside = try dnsctl(["add-service", "web", "--cluster-ip", "192.168.0.1", "--port", "80"], server: registry.server)
        #expect(outside.status == 1)
        #expect(outside.stderr.contains("The range of valid IPs is 10.96.0.0/16"), "\(outside)")
        let usage = try dnsctl(["add-service", "web", "--port", "http:eighty"], server: registry.server)
        #expect(usage.status != 0)
        #expect(try dnsctl(["get", "services"], server: registry.server).stdout.isEmpty)
    }

    @Test func endpointsAreAddedAndRemoved() throws {
        let registry = try RegistryProcess()
        defer { registry.stop() }
        let server = registry.server
        _ = try dnsctl(["add-service", "web", "--port", "http:80:8080"], server: server)

        let first = try dnsctl(["add-endpoint", "web", "--ip", "10.1.0.5", "--hostname", "web-0", "--pod", "web-0"], server: server)
        #expect(first.status == 0 && first.lines == ["endpoint 10.1.0.5 added to service default/web (endpointslice web)"], "\(first)")
        _ = try dnsctl(["add-endpoint", "web", "--ip", "10.1.0.6", "--not-ready"], server: server)
        let v6 = try dnsctl(["add-endpoint", "web", "--ip", "fd00::6"], server: server)
        #expect(v6.lines == ["endpoint fd00::6 added to service default/web (endpointslice web-ipv6)"])

        let table = try dnsctl(["get", "endpoints", "-o", "wide"], server: server)
        #expect(rows(table.stdout) == [
            "NAME ENDPOINTS NOT-READY HOSTNAMES",
            "web 10.1.0.5:8080,[fd00::6]:8080 10.1.0.6:8080 web-0",
        ], "\(table)")

        let removed = try dnsctl(["remove-endpoint", "web", "--ip", "10.1.0.5"], server: server)
        #expect(removed.status == 0 && removed.lines == ["endpoint 10.1.0.5 removed from service default/web"])
        let missing = try dnsctl(["remove-endpoint", "web", "--ip", "10.1.0.5"], server: server)
        #expect(missing.status == 1)
        #expect(missing.stderr == "dnsctl: service default/web has no endpoint with IP 10.1.0.5\n")
        let noService = try dnsctl(["add-endpoint", "nope", "--ip", "10.1.0.9"], server: server)
        #expect(noService.status == 1 && noService.stderr == "dnsctl: services \"nope\" not found\n")
        let badIP = try dnsctl(["add-endpoint", "web", "--ip", "10.1.0.300"], server: server)
        #expect(badIP.status == 1 && badIP.stderr.contains("not an IPv4 or IPv6 address"))

        // Deleting the service takes its slices along.
        _ = try dnsctl(["delete-service", "web"], server: server)
        let after = try dnsctl(["get", "endpoints"], server: server)
        #expect(after.stdout.isEmpty, "\(after)")
    }

    @Test func applyCreatesThenConfigures() throws {
        let registry = try RegistryProcess()
        defer { registry.stop() }
        let server = registry.server
        let seed = try fixture("seed.yaml")
        let first = try dnsctl(["apply", "-f", seed], server: server)
        #expect(first.status == 0, "\(first)")
        #expect(first.lines == [
            "namespace/shop created", "service/cart created", "service/cart-db created", "service/payments created",
            "endpointslice.discovery.k8s.io/cart created", "endpointslice.discovery.k8s.io/cart-db-1 created",
            "pod/cart-0 created", "Deployment/cart: skipped, not a kind DNS serves",
        ])
        let second = try dnsctl(["apply", "-f", seed], server: server)
        #expect(second.status == 0)
        #expect(second.lines.first == "namespace/shop configured")
        #expect(second.lines.filter { $0.hasSuffix(" configured") }.count == 7)

        let endpoints = try dnsctl(["get", "endpoints", "-n", "shop", "-o", "wide"], server: server)
        #expect(rows(endpoints.stdout) == [
            "NAME ENDPOINTS NOT-READY HOSTNAMES",
            "cart 10.244.1.10:8080,10.244.1.11:8080 10.244.1.12:8080 <none>",
            "cart-db 10.244.2.20:5432 <none> cart-db-0",
        ], "\(endpoints)")

        let list = try dnsctl(["apply", "-f", "-"], server: server, stdin: try String(contentsOfFile: try fixture("list.json"), encoding: .utf8))
        #expect(list.lines == ["namespace/tools created", "service/api created", "ConfigMap/settings: skipped, not a kind DNS serves"], "\(list)")
        let directory = try dnsctl(["apply", "-f", URL(fileURLWithPath: seed).deletingLastPathComponent().path], server: server)
        #expect(directory.status == 0, "\(directory)")

        let broken = try dnsctl(["apply", "-f", "-"], server: server, stdin: "kind: Service\nmetadata: {name: x}\nspec: {ports: [{port: nope}]}\n")
        #expect(broken.status == 1)
        #expect(broken.stderr.hasPrefix("dnsctl: stdin document 1: invalid Service"), "\(broken)")
        let absent = try dnsctl(["apply", "-f", "/nonexistent.yaml"], server: server)
        #expect(absent.status == 1 && absent.stderr == "dnsctl: /nonexistent.yaml: no such file or directory\n")
    }

    @Test func watchPrintsEventsAsTheyHappen() throws {
        let registry = try RegistryProcess()
        defer { registry.stop() }
        let server = registry.server
        _ = try dnsctl(["add-service", "early", "--port", "80"], server: server)

        let watcher = Process()
        watcher.executableURL = URL(fileURLWithPath: try Binaries.path("dnsctl"))
        watcher.arguments = ["--server", server, "watch", "services", "--timeout", "3"]
        let output = Pipe()
        watcher.standardOutput = output
        try watcher.run()
        Thread.sleep(forTimeInterval: 0.8)  // let the watch open; the events below must arrive live
        _ = try dnsctl(["add-service", "late", "--port", "81"], server: server)
        _ = try dnsctl(["delete-service", "early"], server: server)
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        watcher.waitUntilExit()
        #expect(watcher.terminationStatus == 0)
        let events = text.split(separator: "\n").map { $0.split(separator: " ").prefix(3).joined(separator: " ") }
        #expect(events == ["ADDED service default/early", "ADDED service default/late", "DELETED service default/early"], "\(text)")
    }

    @Test func tokenAndUnreachableServer() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let tokenFile = directory.appendingPathComponent("token").path
        try "t0ken\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let registry = try RegistryProcess(arguments: ["--api-token-file", tokenFile])
        defer {
            registry.stop()
            do { try FileManager.default.removeItem(at: directory) } catch { Issue.record("cleanup: \(error)") }
        }
        let denied = try dnsctl(["add-service", "web", "--port", "80"], server: registry.server)
        #expect(denied.status == 1 && denied.stderr.contains("Unauthorized"), "\(denied)")
        let allowed = try dnsctl(["add-service", "web", "--port", "80"], server: registry.server, token: "t0ken")
        #expect(allowed.status == 0, "\(allowed)")
        let flag = try dnsctl(["--token", "t0ken", "--server", registry.server, "delete-service", "web"], server: nil)
        #expect(flag.status == 0, "\(flag)")

        let down = try dnsctl(["get", "services"], server: "http://127.0.0.1:9")
        #expect(down.status == 1)
        #expect(down.stderr == "dnsctl: cannot reach the registry at http://127.0.0.1:9 (connection refused); is clusterdns running? (--server or DNSCTL_SERVER)\n")
    }
}
