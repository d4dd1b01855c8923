import Testing

/// RD copied, RA never set, EDNS echoed only when asked, TCP carrying several queries.
@Suite("header flags, EDNS and TCP framing", .seedServer)
struct HeaderAndTransportTests {
    static let product = "product-service.ecommerce.svc.cluster.local"

    @Test("RD is copied from the query; RA stays 0", arguments: [
        (["+rec"], Set(["qr", "aa", "rd"])), (["+norec"], Set(["qr", "aa"])),
    ])
    func recursionDesired(options: [String], flags: Set<String>) async throws {
        let server = try SeedServerTrait.server()
        let reply = try await Dig.query(Self.product, "A", port: server.port, options)
        #expect(reply.flags == flags, "\(reply)")
    }

    @Test("an OPT record answers an OPT record, and only that")
    func ednsEcho() async throws {
        let server = try SeedServerTrait.server()
        let withEDNS = try await Dig.query(Self.product, "A", port: server.port)
        #expect(withEDNS.output.contains("; EDNS: version: 0"), "\(withEDNS)")
        let without = try await Dig.query(Self.product, "A", port: server.port, ["+noedns"])
        #expect(without.status == "NOERROR", "\(without)")
        #expect(!without.output.contains("OPT PSEUDOSECTION"), "\(without)")
        #expect(without.answerSet == ["A 10.96.228.69"], "\(without)")
    }

    @Test("several queries on one TCP connection, answered in order")
    func tcpPipelining() async throws {
        let server = try SeedServerTrait.server()
        let queries = [
            QueryPacket.make(id: 1, name: Self.product),
            QueryPacket.make(id: 2, name: "payment-service.prod-env.svc.cluster.local"),
            QueryPacket.make(id: 3, name: "missing.ecommerce.svc.cluster.local"),
        ]
        let replies = try await offCooperativePool {
            try LoopbackSocket.exchangeTCP(queries, port: server.port, timeoutMilliseconds: 2000)
        }
        #expect(replies.map { ReplyHeader($0) } == [
            ReplyHeader(id: 1, isResponse: true, rcode: 0),
            ReplyHeader(id: 2, isResponse: true, rcode: 0),
            ReplyHeader(id: 3, isResponse: true, rcode: 3),
        ])
    }
}
