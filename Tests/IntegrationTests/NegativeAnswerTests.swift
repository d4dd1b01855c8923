import Testing

/// A question whose answer section must be empty, and the RCODE it gets.
struct NegativeCase: Sendable, CustomTestStringConvertible {
    var name: String
    var type = "A"
    var status: String

    var testDescription: String { "\(type) \(name) -> \(status)" }
}

/// NXDOMAIN versus NODATA (SPEC.md section 2): both carry the zone's SOA, and a name that
/// exists is never NXDOMAIN, whatever the type (musl and Alpine break on that).
@Suite("NXDOMAIN and NODATA against the seed cluster", .seedServer)
struct NegativeAnswerTests {
    static let cases: [NegativeCase] = [
        NegativeCase(name: "svc.cluster.local", status: "NOERROR"),
        NegativeCase(name: "pod.cluster.local", status: "NOERROR"),
        NegativeCase(name: "ecommerce.svc.cluster.local", status: "NOERROR"),
        NegativeCase(name: "no-such-namespace.svc.cluster.local", status: "NXDOMAIN"),
        NegativeCase(name: "_tcp.payment-service.prod-env.svc.cluster.local", status: "NOERROR"),
        NegativeCase(name: "_udp.payment-service.prod-env.svc.cluster.local", status: "NXDOMAIN"),
        NegativeCase(name: "_grpc._tcp.payment-service.prod-env.svc.cluster.local", type: "SRV", status: "NXDOMAIN"),
        NegativeCase(name: "product-service.ecommerce.svc.cluster.local", type: "TXT", status: "NOERROR"),
        NegativeCase(name: "product-service.ecommerce.svc.cluster.local", type: "PTR", status: "NOERROR"),
        NegativeCase(name: "orders-db-2.orders-db.ecommerce.svc.cluster.local", status: "NXDOMAIN"),
        NegativeCase(name: "*.ecommerce.svc.cluster.local", status: "NXDOMAIN"),
        NegativeCase(name: "any.ecommerce.svc.cluster.local", status: "NXDOMAIN"),
        NegativeCase(name: "dns-version.cluster.local", status: "NOERROR"),
        NegativeCase(name: "google.com.ecommerce.svc.cluster.local", type: "AAAA", status: "NXDOMAIN"),
    ]

    @Test("empty answer, SOA in authority", arguments: cases)
    func negative(_ row: NegativeCase) async throws {
        let server = try SeedServerTrait.server()
        let reply = try await Dig.query(row.name, row.type, port: server.port)
        #expect(reply.status == row.status, "\(reply)")
        #expect(reply.flags.contains("aa"), "\(reply)")
        #expect(reply.answer.isEmpty, "\(reply)")
        try SeedAnswerTests.expectZoneSOA(reply)
    }

    @Test("a pod name answers the address it spells (--pods insecure, the default)")
    func podRecord() async throws {
        let server = try SeedServerTrait.server()
        let reply = try await Dig.query("10-244-1-10.ecommerce.pod.cluster.local", "A", port: server.port)
        #expect(reply.status == "NOERROR", "\(reply)")
        #expect(reply.answerSet == ["A 10.244.1.10"], "\(reply)")
    }

    @Test("the apex: SOA, and NS with its address in additional")
    func apex() async throws {
        let server = try SeedServerTrait.server()
        let soa = try await Dig.query("cluster.local", "SOA", port: server.port)
        #expect(soa.answer.count == 1 && soa.answer.first?.type == "SOA", "\(soa)")
        #expect(soa.answer.first?.data.hasPrefix(SeedAnswerTests.soaPrefix) == true, "\(soa)")
        let ns = try await Dig.query("cluster.local", "NS", port: server.port)
        #expect(ns.answerSet == ["NS ns.dns.cluster.local."], "\(ns)")
        #expect(ns.additional.map(\.type) == ["A"] && ns.additional.first?.owner == "ns.dns.cluster.local.", "\(ns)")
    }
}
