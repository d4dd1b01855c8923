import ClusterModel
@testable import ClusterZone
import DNSWire
import Testing

@Suite("Autopath's client index: claims on an address, added and taken away")
struct ClientIndexTests {
    static let address = "10.244.9.9"

    func namespace(_ map: ClientNamespaces) throws -> String? {
        let address = try #require(IPAddress(Self.address))
        let client = try #require(ClientAddress(bytes: address.bytes))
        return map.suffix(of: client).map { DNSName(uncheckedWire: $0).description }
    }

    @Test func anAddressIsServedWhileOneNamespaceAloneClaimsIt() throws {
        var index = ClientIndex(zone: try DNSName("cluster.local"))
        let first = Pod(name: "a", namespace: "prod", ips: [Self.address])
        let again = Pod(name: "b", namespace: "prod", ips: [Self.address])
        let other = Pod(name: "c", namespace: "dev", ips: [Self.address])

        index.pod(first, adding: true)
        index.pod(again, adding: true)
        var (map, problems) = index.take()
        #expect(try namespace(map) == "prod.svc.cluster.local." && problems.isEmpty)

        index.pod(other, adding: true)
        (map, problems) = index.take()
        #expect(try namespace(map) == nil)
        #expect(problems == ["autopath: 10.244.9.9 is in namespaces dev and prod, its queries get no server-side search"])

        // Both prod pods go: dev is left, and takes the address over.
        index.pod(first, adding: false)
        (map, problems) = index.take()
        #expect(try namespace(map) == nil && problems.count == 1)
        index.pod(again, adding: false)
        (map, problems) = index.take()
        #expect(try namespace(map) == "dev.svc.cluster.local." && problems.isEmpty)

        index.pod(other, adding: false)
        (map, problems) = index.take()
        #expect(try namespace(map) == nil && problems.isEmpty && map.isEmpty)
    }
}
