import Testing

/// A query dig can send and the RCODE SPEC.md section 6 gives it.
struct RuleCase: Sendable, CustomTestStringConvertible {
    var label: String
    var name = "product-service.ecommerce.svc.cluster.local"
    var type = "A"
    var options: [String] = []
    var status: String

    var testDescription: String { "\(label) -> \(status)" }
}

@Suite("protocol rules (SPEC.md section 6)", .seedServer)
struct ProtocolRuleTests {
    static let cases: [RuleCase] = [
        RuleCase(label: "opcode STATUS", options: ["+opcode=status"], status: "NOTIMP"),
        RuleCase(label: "class CH", options: ["-c", "CH"], status: "REFUSED"),
        // +noednsnegotiation: dig would otherwise retry with version 0 and show that answer.
        RuleCase(label: "EDNS version 1", options: ["+edns=1", "+noednsnegotiation"], status: "BADVERS"),
        // No upstream is configured in these tests, so nothing is forwarded off the machine.
        RuleCase(label: "name outside every zone", name: "nothing-here.invalid", status: "REFUSED"),
        // dig prints an AXFR's header only with +comments.
        RuleCase(
            label: "AXFR of the cluster zone", name: "cluster.local", type: "AXFR", options: ["+comments"],
            status: "REFUSED"),
        RuleCase(
            label: "AXFR of a static zone", name: "example.internal", type: "AXFR", options: ["+comments"],
            status: "REFUSED"),
        RuleCase(
            label: "ANY of a missing name", name: "nope.ecommerce.svc.cluster.local", type: "ANY", status: "NXDOMAIN"),
    ]

    @Test("RCODE", arguments: cases)
    func rcode(_ row: RuleCase) async throws {
        let server = try SeedServerTrait.server()
        let reply = try await Dig.query(row.name, row.type, port: server.port, row.options)
        #expect(reply.status == row.status, "\(reply)")
        #expect(reply.answer.isEmpty, "\(reply)")
        #expect(reply.flags.contains("qr"), "\(reply)")
    }

    @Test("ANY gets the RFC 8482 minimal answer", arguments: Transport.allCases)
    func any(transport: Transport) async throws {
        let server = try SeedServerTrait.server()
        let name = "product-service.ecommerce.svc.cluster.local"
        let reply = try await Dig.query(name, "ANY", port: server.port, transport.digOptions)
        #expect(reply.status == "NOERROR", "\(reply)")
        #expect(reply.answer.map(\.description) == ["\(name). 5 IN HINFO \"RFC8482\" \"\""], "\(reply)")
    }

    @Test("dig axfr reports the refused transfer")
    func axfrTransferFails() async throws {
        let server = try SeedServerTrait.server()
        let output = try await Dig.run(["axfr", "cluster.local"], port: server.port)
        #expect(output.stdout.contains("; Transfer failed."), "\(output.stdout)")
        #expect(!output.stdout.contains(" IN\tSOA") && !output.stdout.contains(" IN SOA"), "\(output.stdout)")
    }
}
