import ClusterModel
@testable import ClusterZone
import DNSWire
import Testing

@Suite("Reverse names answered by address")
struct ReverseTableTests {
    func parse(_ name: String) throws -> ClientAddress? {
        let wire = try DNSName(name).wire
        return wire.withUnsafeBytes { ReverseTable.address(reversed: $0) }
    }

    @Test func canonicalReverseNamesParseToTheirAddress() throws {
        #expect(try parse("7.1.244.10.in-addr.arpa") == ClientAddress(exactly: [10, 244, 1, 7]))
        #expect(try parse("0.0.0.0.in-addr.arpa") == ClientAddress(exactly: [0, 0, 0, 0]))
        #expect(try parse("255.255.255.255.in-addr.arpa") == ClientAddress(exactly: [255, 255, 255, 255]))
        let v6 = "7.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa"
        #expect(try parse(v6) == ClientAddress(exactly: [0xfd] + [UInt8](repeating: 0, count: 14) + [7]))
        // An IPv4-mapped address's ip6.arpa name is its own, not the IPv4 one.
        let mapped = "8.0.1.0.4.f.a.0.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa"
        let key = try #require(try parse(mapped))
        #expect(!key.isIPv4 && key != ClientAddress(exactly: [10, 244, 1, 8]))
    }

    @Test(arguments: [
        "07.1.244.10.in-addr.arpa", "256.1.244.10.in-addr.arpa", "1.244.10.in-addr.arpa", "9.7.1.244.10.in-addr.arpa",
        "a.1.244.10.in-addr.arpa", "1.1.244.10.in-addr.arpa.example", "1.1.244.10.ip6.arpa", "1000.1.1.1.in-addr.arpa",
        "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa",
        "g.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa",
        "00.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa",
    ])
    func otherSpellingsAreNoAddress(name: String) throws {
        #expect(try parse(name) == nil)
    }

    @Test func pointersAreAMultisetAndAnswerEachNameOnceInOrder() throws {
        var index = ReverseIndex(ttl: 5)
        let address: IPAddressBytes = [10, 244, 1, 7]
        let web = try DNSName("web-0.alpha.team.svc.cluster.local")
        let other = try DNSName("10-244-1-7.beta.team.svc.cluster.local")
        index.apply(address, target: web, adding: true)
        index.apply(address, target: web, adding: true)
        index.apply(address, target: other, adding: true)
        var (table, changes) = index.take()
        #expect(changes == 1 && table.count == 1)
        // In canonical name order (labels compared from the right): alpha's before beta's.
        #expect(try targets(table, "7.1.244.10.in-addr.arpa") == [web, other])

        // One of the two objects giving `web` goes: both names stay.
        index.apply(address, target: web, adding: false)
        (table, changes) = index.take()
        #expect(changes == 0)
        #expect(try targets(table, "7.1.244.10.in-addr.arpa") == [web, other])
        // A name no object gives is not taken away, and changes nothing.
        index.apply(address, target: try DNSName("nobody.cluster.local"), adding: false)
        index.apply(address, target: other, adding: false)
        (table, changes) = index.take()
        #expect(changes == 1 && table.count == 1)
        #expect(try targets(table, "7.1.244.10.in-addr.arpa") == [web])
        index.apply(address, target: web, adding: false)
        (table, changes) = index.take()
        #expect(changes == 1 && table.count == 0)
        #expect(try targets(table, "7.1.244.10.in-addr.arpa") == nil)
    }

    /// The targets of an address's PTR records, read back from the answer's bytes.
    func targets(_ table: ReverseTable, _ name: String) throws -> [DNSName]? {
        let wire = try DNSName(name).wire
        guard let (shard, entry) = wire.withUnsafeBytes({ table.find($0) }) else { return nil }
        let (range, count) = shard.records(entry)
        var bytes = Array(shard.bytes[range])
        var names: [DNSName] = []
        for _ in 0..<count {
            #expect(Array(bytes[0..<6]) == [0xC0, 0x0C, 0x00, 0x0C, 0x00, 0x01])
            #expect(Array(bytes[6..<10]) == [0, 0, 0, 5])
            let length = Int(bytes[10]) << 8 | Int(bytes[11])
            names.append(DNSName(uncheckedWire: Array(bytes[12..<(12 + length)])))
            bytes.removeFirst(12 + length)
        }
        #expect(bytes.isEmpty)
        return names
    }

    @Test func aSharedAddressAnswersForEveryServiceAndOtherTypesAreNoData() throws {
        let alpha = Service(name: "alpha", namespace: "test", spec: ServiceSpec(clusterIP: "None"))
        let beta = Service(name: "beta", namespace: "test", spec: ServiceSpec(clusterIP: "None"))
        let slices = [
            EndpointSlice(name: "alpha-1", namespace: "test", serviceName: "alpha", endpoints: [Endpoint(addresses: ["10.244.77.7"])]),
            EndpointSlice(name: "beta-1", namespace: "test", serviceName: "beta", endpoints: [Endpoint(addresses: ["10.244.77.7"])]),
        ]
        let zone = try TestZone(extra: ClusterState(services: [alpha, beta], endpointSlices: slices))
        let ptr = try #require(try zone.ask("7.77.244.10.in-addr.arpa", PTR))
        #expect(ptr.rcode == 0 && ptr.aa && ptr.answer.count == 2)
        for type in [A, TXT] {
            let other = try #require(try zone.ask("7.77.244.10.in-addr.arpa", type))
            #expect(other.rcode == 0 && other.answer.isEmpty && other.authority.count == 1)
        }
        let above = try #require(try zone.ask("77.244.10.in-addr.arpa", PTR))
        #expect(above.rcode == 0 && above.answer.isEmpty && above.authority.count == 1)
        let unknown = try #require(try zone.ask("8.77.244.10.in-addr.arpa", PTR))
        #expect(unknown.rcode == 3 && unknown.authority.count == 1)
    }

    /// A pod address in 40 headless services: its PTR set does not fit in 512 bytes.
    @Test func aPointerSetTooLargeForUDPIsTruncatedWhole() throws {
        var services: [Service] = []
        var slices: [EndpointSlice] = []
        for index in 0..<40 {
            services.append(Service(name: "service-\(index)", namespace: "test", spec: ServiceSpec(clusterIP: "None")))
            slices.append(EndpointSlice(
                name: "service-\(index)-1", namespace: "test", serviceName: "service-\(index)",
                endpoints: [Endpoint(addresses: ["10.244.88.8"])]))
        }
        let zone = try TestZone(extra: ClusterState(services: services, endpointSlices: slices))
        let udp = try #require(try zone.ask("8.88.244.10.in-addr.arpa", PTR))
        #expect(udp.tc && udp.answer.isEmpty && udp.size <= 512)
        let tcp = try #require(try zone.ask("8.88.244.10.in-addr.arpa", PTR, over: .tcp))
        #expect(!tcp.tc && tcp.answer.count == 40)
    }
}
