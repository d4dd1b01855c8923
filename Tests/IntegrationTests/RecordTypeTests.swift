import Testing

/// One row of the record table: a question and the exact answer section expected.
struct RecordCase: Sendable, CustomTestStringConvertible {
    var name: String
    var type: String
    /// `TYPE data` per answer record, sorted.
    var answer: [String]
    var ttl: Int = 5
    /// `owner TYPE data` that must be in the additional section (sorted), when the SPEC puts
    /// records there.
    var additional: [String] = []

    var testDescription: String { "\(type) \(name)" }
}

/// SRV, PTR, CNAME, TXT, headless names and the static zone, exactly as SPEC.md sections 2-4 say.
@Suite("record types against the seed cluster", .seedServer)
struct RecordTypeTests {
    static let cases: [RecordCase] = [
        RecordCase(name: "payment-service.prod-env.svc.cluster.local", type: "A", answer: ["A 10.96.100.10"]),
        RecordCase(name: "api-gateway.ecommerce.svc.cluster.local", type: "A", answer: ["A 10.96.249.20"]),
        RecordCase(
            name: "_https._tcp.payment-service.prod-env.svc.cluster.local", type: "SRV",
            answer: ["SRV 0 100 443 payment-service.prod-env.svc.cluster.local."],
            additional: ["payment-service.prod-env.svc.cluster.local. A 10.96.100.10"]),
        RecordCase(
            name: "_postgres._tcp.orders-db.ecommerce.svc.cluster.local", type: "SRV",
            answer: [
                "SRV 0 50 5432 orders-db-0.orders-db.ecommerce.svc.cluster.local.",
                "SRV 0 50 5432 orders-db-1.orders-db.ecommerce.svc.cluster.local.",
            ],
            additional: [
                "orders-db-0.orders-db.ecommerce.svc.cluster.local. A 10.244.1.10",
                "orders-db-1.orders-db.ecommerce.svc.cluster.local. A 10.244.2.11",
            ]),
        RecordCase(
            name: "orders-db-1.orders-db.ecommerce.svc.cluster.local", type: "A", answer: ["A 10.244.2.11"]),
        RecordCase(
            name: "10.1.244.10.in-addr.arpa", type: "PTR",
            answer: ["PTR orders-db-0.orders-db.ecommerce.svc.cluster.local."]),
        RecordCase(
            name: "53.111.96.10.in-addr.arpa", type: "PTR", answer: ["PTR payment-service.ecommerce.svc.cluster.local."]),
        RecordCase(
            name: "my-database.ecommerce.svc.cluster.local", type: "CNAME", answer: ["CNAME my.database.example.com."]),
        RecordCase(name: "dns-version.cluster.local", type: "TXT", answer: ["TXT \"1.1.0\""], ttl: 28800),
        RecordCase(name: "gateway.example.internal", type: "A", answer: ["A 192.0.2.1"], ttl: 300),
        RecordCase(name: "gateway.example.internal", type: "AAAA", answer: ["AAAA 2001:db8::1"], ttl: 300),
    ]

    @Test("answer section", arguments: cases)
    func answer(_ row: RecordCase) async throws {
        let server = try SeedServerTrait.server()
        let reply = try await Dig.query(row.name, row.type, port: server.port)
        #expect(reply.status == "NOERROR", "\(reply)")
        #expect(reply.flags.contains("aa"), "\(reply)")
        #expect(reply.answerSet == row.answer, "\(reply)")
        #expect(reply.answer.allSatisfy { $0.owner == row.name + "." && $0.ttl == row.ttl }, "\(reply)")
        let additional = reply.additional.map { "\($0.owner) \($0.type) \($0.data)" }.sorted()
        #expect(additional == row.additional, "\(reply)")
    }

    @Test("a static CNAME is followed inside its zone")
    func staticCNAME() async throws {
        let server = try SeedServerTrait.server()
        let reply = try await Dig.query("www.example.internal", "A", port: server.port)
        #expect(reply.status == "NOERROR", "\(reply)")
        #expect(reply.flags.contains("aa"), "\(reply)")
        #expect(
            reply.answer.map(\.description) == [
                "www.example.internal. 300 IN CNAME gateway.example.internal.",
                "gateway.example.internal. 300 IN A 192.0.2.1",
            ], "\(reply)")
    }
}
