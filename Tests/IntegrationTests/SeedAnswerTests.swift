import Testing

/// The README's walk-through, asked with the real dig over UDP and TCP.
@Suite("dig against the seed cluster", .seedServer)
struct SeedAnswerTests {
    static let product = "product-service.ecommerce.svc.cluster.local"
    static let soaPrefix = "ns.dns.cluster.local. hostmaster.cluster.local. "
    static let soaSuffix = " 7200 1800 86400 5"

    @Test("a ClusterIP service answers its cluster IP, authoritatively", arguments: Transport.allCases)
    func clusterIP(transport: Transport) async throws {
        let server = try SeedServerTrait.server()
        let reply = try await Dig.query(Self.product, "A", port: server.port, transport.digOptions)
        #expect(reply.status == "NOERROR", "\(reply)")
        #expect(reply.flags == ["qr", "aa", "rd"], "\(reply)")
        #expect(reply.answer.map(\.description) == ["\(Self.product). 5 IN A 10.96.228.69"], "\(reply)")
        #expect(reply.authority.isEmpty, "\(reply)")
        #expect(reply.transport == transport.rawValue.uppercased(), "\(reply)")
    }

    @Test(
        "the search-path misses of a pod are NXDOMAIN with the SOA",
        arguments: ["product-service.cluster.local", "product-service.svc.cluster.local"], Transport.allCases)
    func searchPathMiss(name: String, transport: Transport) async throws {
        let server = try SeedServerTrait.server()
        let reply = try await Dig.query(name, "A", port: server.port, transport.digOptions)
        #expect(reply.status == "NXDOMAIN", "\(reply)")
        #expect(reply.flags.contains("aa"), "\(reply)")
        #expect(reply.answer.isEmpty, "\(reply)")
        try Self.expectZoneSOA(reply)
    }

    @Test("AAAA of an IPv4-only service is NODATA: NOERROR, no answer, the SOA", arguments: Transport.allCases)
    func aaaaNoData(transport: Transport) async throws {
        let server = try SeedServerTrait.server()
        let reply = try await Dig.query(Self.product, "AAAA", port: server.port, transport.digOptions)
        #expect(reply.status == "NOERROR", "\(reply)")
        #expect(reply.answer.isEmpty, "\(reply)")
        try Self.expectZoneSOA(reply)
    }

    @Test("the owner name echoes the query's spelling (DNS 0x20)")
    func caseEcho() async throws {
        let server = try SeedServerTrait.server()
        let asked = "PrOdUcT-SeRvIcE.EcOmMeRcE.svc.cluster.local"
        let reply = try await Dig.query(asked, "A", port: server.port)
        #expect(reply.status == "NOERROR", "\(reply)")
        #expect(reply.answer.map(\.description) == ["\(asked). 5 IN A 10.96.228.69"], "\(reply)")
    }

    @Test("dig -x of a cluster IP answers the service name")
    func reverseOfClusterIP() async throws {
        let server = try SeedServerTrait.server()
        let reply = try await Dig.reverse("10.96.228.69", port: server.port)
        #expect(reply.status == "NOERROR", "\(reply)")
        #expect(reply.answer.map(\.description) == ["69.228.96.10.in-addr.arpa. 5 IN PTR \(Self.product)."], "\(reply)")
    }

    @Test("a headless service answers its ready endpoints in rotating order")
    func roundRobin() async throws {
        let server = try SeedServerTrait.server()
        var firstRecords: Set<String> = []
        // Two ready endpoints: a rotation shows within a few queries; 8 leave room for two sockets.
        for _ in 0..<8 {
            let reply = try await Dig.query("orders-db.ecommerce.svc.cluster.local", "A", port: server.port)
            #expect(reply.answerSet == ["A 10.244.1.10", "A 10.244.2.11"], "orders-db-2 is not ready: \(reply)")
            if let first = reply.answer.first { firstRecords.insert(first.data) }
            if firstRecords.count == 2 { break }
        }
        #expect(firstRecords == ["10.244.1.10", "10.244.2.11"])
    }

    /// The zone's SOA, alone in the authority section.
    static func expectZoneSOA(_ reply: DigReply) throws {
        let soa = try #require(reply.authority.first, "no SOA in authority: \(reply)")
        #expect(reply.authority.count == 1, "\(reply)")
        #expect(soa.owner == "cluster.local." && soa.type == "SOA" && soa.ttl == 5, "\(reply)")
        #expect(soa.data.hasPrefix(soaPrefix) && soa.data.hasSuffix(soaSuffix), "\(reply)")
    }
}
