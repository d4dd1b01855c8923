import Foundation
import Testing

/// kubectl, when this machine has it, against registry-dev.
enum Kubectl {
    static let path: String? = ["/usr/bin/kubectl", "/usr/local/bin/kubectl"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    static func run(_ arguments: [String], server: String) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path ?? "kubectl")
        // An empty kubeconfig keeps a developer's own clusters out of reach.
        process.environment = ["KUBECONFIG": "/dev/null", "HOME": NSTemporaryDirectory(), "PATH": "/usr/bin:/bin"]
        process.arguments = ["--server", server] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CommandResult(
            status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: err, as: UTF8.self))
    }
}

@Suite("Compatibility with kubectl")
struct KubectlTests {
    @Test(.enabled(if: Kubectl.path != nil, "skipped: kubectl is not installed"))
    func kubectlCreatesAppliesListsAndDeletes() throws {
        let registry = try RegistryProcess()
        defer { registry.stop() }
        let server = registry.server
        let created = try Kubectl.run(["create", "service", "clusterip", "web", "--tcp=80:8080"], server: server)
        #expect(created.status == 0 && created.stdout == "service/web created\n", "\(created)")
        // Client-side validation needs the OpenAPI documents, which the registry does not serve.
        let applied = try Kubectl.run(["apply", "--validate=false", "-f", try fixture("seed.yaml")], server: server)
        #expect(applied.stdout.contains("service/cart created"), "\(applied)")
        let reapplied = try Kubectl.run(["apply", "--validate=false", "-f", try fixture("seed.yaml")], server: server)
        #expect(reapplied.stdout.contains("service/cart unchanged"), "\(reapplied)")
        let labeled = try Kubectl.run(["label", "service", "web", "tier=front"], server: server)
        #expect(labeled.status == 0, "\(labeled)")

        let table = try Kubectl.run(["get", "services", "-A"], server: server)
        #expect(rows(table.stdout) == [
            "NAMESPACE NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S)",
            "default web ClusterIP 10.96.0.1 <none> 80/TCP",
            "shop cart ClusterIP 10.96.0.2 <none> 80/TCP",
            "shop cart-db ClusterIP None <none> 5432/TCP",
            "shop payments ExternalName <none> payments.example.com <none>",
        ], "\(table)")
        // kubectl pages its lists (`limit`, `continue`; 500 objects a page by default).
        let paged = try Kubectl.run(["get", "services", "-A", "--chunk-size=1"], server: server)
        #expect(paged.status == 0 && rows(paged.stdout) == rows(table.stdout), "\(paged)")
        let names = try Kubectl.run(["get", "services", "-A", "--chunk-size=3", "-o", "name"], server: server)
        #expect(names.stdout.split(separator: "\n").count == 4, "\(names)")
        let labels = try Kubectl.run(["get", "service", "web", "-o", "jsonpath={.metadata.labels.tier}"], server: server)
        #expect(labels.stdout == "front")
        let deleted = try Kubectl.run(["delete", "service", "web"], server: server)
        #expect(deleted.status == 0 && deleted.stdout == "service \"web\" deleted\n", "\(deleted)")
        let missing = try Kubectl.run(["get", "service", "web"], server: server)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("services \"web\" not found"), "\(missing)")
    }
}
