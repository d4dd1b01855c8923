import AsyncHTTPClient
import Foundation
import NIOCore
import Testing

@Suite("Durability: acknowledged writes survive kill -9")
struct DurabilityTests {
    @Test func twoHundredWritesSurviveKill9() async throws {
        let first = try RegistryProcess()
        let directory = first.directory
        for index in 0..<200 {
            var request = HTTPClientRequest(url: "\(first.server)/api/v1/namespaces/default/services")
            request.method = .POST
            request.body = .bytes(ByteBuffer(string: #"{"metadata":{"name":"svc-\#(index)"},"spec":{"ports":[{"port":80}]}}"#))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 1 << 20)
            try #require(response.status.code == 201, "write \(index) answered \(response.status.code)")
        }
        // Right after the last acknowledgement, no chance to flush anything more.
        first.kill9()

        let second = try RegistryProcess(directory: directory)
        defer { second.stop() }
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: "\(second.server)/api/v1/namespaces/default/services"), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 16 << 20)
        let list = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        let items = list?["items"] as? [[String: Any]] ?? []
        let names = Set(items.compactMap { ($0["metadata"] as? [String: Any])?["name"] as? String })
        #expect(names == Set((0..<200).map { "svc-\($0)" }))
        let ips = items.compactMap { ($0["spec"] as? [String: Any])?["clusterIP"] as? String }
        #expect(Set(ips).count == 200, "cluster IPs must be unique")
        let version = (list?["metadata"] as? [String: Any])?["resourceVersion"] as? String
        #expect(version == "203")  // 3 seeded namespaces + 200 services
    }
}
