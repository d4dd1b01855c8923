import ClusterModel
import Foundation
import RegistryClient
import Testing

@Suite("RegistryClient watches back to back")
struct RegistryClientWatchTests {
    /// The registry closes a connection once its watch ends; a client must not reuse it for the
    /// next watch (the registry says `Connection: close`).
    @Test func consecutiveWatchesOnOneClient() async throws {
        let registry = try RegistryProcess()
        defer { registry.stop() }
        let client = RegistryClient(server: registry.server)
        var ends = 0
        do {
            for _ in 0..<3 {
                try await client.watch(.services, namespace: nil, resourceVersion: nil, timeoutSeconds: 1) { _ in true }
                ends += 1
            }
            _ = try await client.list(.services, namespace: nil)
        } catch {
            Issue.record("watch \(ends + 1) failed: \(error)")
        }
        await client.shutdown()
        #expect(ends == 3)
    }
}
