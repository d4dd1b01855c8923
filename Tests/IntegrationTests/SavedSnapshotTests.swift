import Foundation
import Testing

/// `--snapshot-cache`: a graceful stop saves the compiled answers in the data directory, the
/// next start serves them at once while the embedded registry is unchanged, and a registry
/// changed in between (here by `registry-dev import` while the server was down) is read instead.
@Suite("saved snapshot")
struct SavedSnapshotTests {
    @Test func aRestartServesTheSavedSnapshotUntilTheStoreChanges() async throws {
        let data = try TemporaryDirectory(prefix: "data")
        defer { data.remove() }
        let snapshotFile = data.path + "/dns-snapshot.bin"

        // First run: nothing saved yet; one service; a graceful stop saves the snapshot.
        let (first, api) = try await RegistryThroughDNSTests.start(dataDirectory: data.path)
        let firstLog = try await stopReadingLog(first) {
            try await addService("web", "10.96.50.5", api: api, server: first)
        }
        #expect(firstLog.contains("no saved snapshot served"))
        #expect(firstLog.contains("snapshot saved for the next start"))
        #expect(FileManager.default.fileExists(atPath: snapshotFile))

        // Second run: served from the file, then the registry takes over and changes go through.
        let (second, secondAPI) = try await RegistryThroughDNSTests.start(dataDirectory: data.path)
        let secondLog = try await stopReadingLog(second) {
            let log = try second.server.log()
            #expect(log.contains("serving the saved snapshot"), "\(log)")
            let web = try await Dig.query("web.shop.svc.cluster.local", port: second.server.port)
            #expect(web.status == "NOERROR" && web.answer.first?.data == "10.96.50.5")
            try await addService("api", "10.96.50.6", api: secondAPI, server: second)
        }
        // The registry was as saved: its answers were kept, not compiled again.
        #expect(secondLog.contains("unchanged since the saved snapshot"))
        #expect(secondLog.contains("snapshot saved for the next start"))

        // While it is down, the store changes behind its back: the saved snapshot is out of date.
        let manifests = try TemporaryDirectory(prefix: "manifests")
        defer { manifests.remove() }
        let file = try manifests.write("late.yaml", """
            apiVersion: v1
            kind: Service
            metadata: {name: late, namespace: shop}
            spec: {clusterIP: 10.96.50.7, ports: [{name: http, port: 80}]}
            """)
        let imported = try await Command.run(
            try Self.binary("registry-dev"),
            ["import", "--data-dir", data.path, "--service-cidr", "10.96.0.0/16", "--quiet", file], timeout: 60)
        #expect(imported.status == 0, "registry-dev import: \(imported.stderr)")

        let (third, _) = try await RegistryThroughDNSTests.start(dataDirectory: data.path)
        let thirdLog = try await stopReadingLog(third) {
            for (name, address) in [("late", "10.96.50.7"), ("api", "10.96.50.6"), ("web", "10.96.50.5")] {
                let reply = try await RegistryThroughDNSTests.eventually(
                    "\(name).shop.svc.cluster.local", port: third.server.port, status: "NOERROR", answers: 1)
                #expect(reply.answer.first?.data == address)
            }
        }
        #expect(thirdLog.contains("saved snapshot is out of date"))
        #expect(!thirdLog.contains("serving the saved snapshot"))
    }

    @Test func offNeitherSavesNorServesASnapshot() async throws {
        let data = try TemporaryDirectory(prefix: "data")
        defer { data.remove() }
        let zones = try TemporaryDirectory(prefix: "zones")
        defer { zones.remove() }
        let server = try await ServerProcess.start([
            "--api", "127.0.0.1:0", "--data-dir", data.path, "--zones-dir", zones.path, "--snapshot-cache", "off",
        ])
        let log = try await stopReadingLog(server) {
            _ = try await RegistryThroughDNSTests.eventually(
                "kubernetes.default.svc.cluster.local", port: server.server.port, status: "NXDOMAIN")
        }
        #expect(!log.contains("snapshot"))
        #expect(!FileManager.default.fileExists(atPath: data.path + "/dns-snapshot.bin"))
    }

    /// Adds a ClusterIP service in `shop` with dnsctl and waits until DNS answers it.
    private func addService(_ name: String, _ address: String, api: String, server: ServerProcess) async throws {
        _ = try await RegistryThroughDNSTests.dnsctl(
            api, ["add-service", name, "-n", "shop", "--port", "http:80", "--cluster-ip", address])
        _ = try await RegistryThroughDNSTests.eventually(
            "\(name).shop.svc.cluster.local", port: server.server.port, status: "NOERROR", answers: 1)
    }

    /// Runs `body`, then stops the server with SIGTERM and returns its whole log.
    private func stopReadingLog(_ server: ServerProcess, _ body: () async throws -> Void) async throws -> String {
        do {
            try await body()
        } catch {
            await server.stopAfterFailure()
            throw error
        }
        server.terminate()
        let status = try await server.waitForExit(timeout: 30)
        let log = try server.server.log()
        #expect(status == 0, "exit status \(String(describing: status)):\n\(log)")
        _ = try await server.stop()
        return log
    }

    private static func binary(_ name: String) throws -> String {
        URL(fileURLWithPath: try ServerProcess.binaryPath()).deletingLastPathComponent().appendingPathComponent(name).path
    }
}
