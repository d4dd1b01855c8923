import ClusterZone
import DNSWire
import Testing

@Suite("Which queries go upstream: SPEC.md sections 3 and 4")
struct ForwardDecisionTests {
    let forwarding = try! TestZone(forwarding: true)

    func isForwarded(_ result: Responder.Result) -> Bool {
        if case .forward = result { return true }
        return false
    }

    @Test(arguments: ["example.com", "www.Example.ORG", "local", "."])
    func namesOutsideEveryZoneAreForwarded(name: String) throws {
        let result = try forwarding.result(name, A)
        #expect(isForwarded(result))
        if case .forward(let query) = result {
            #expect(query.type == A && query.id == 0x1234 && query.recursionDesired)
        }
    }

    @Test(arguments: ["9.9.9.9.in-addr.arpa", "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"])
    func unknownReverseNamesAreForwarded(name: String) throws {
        #expect(isForwarded(try forwarding.result(name, PTR)))
    }

    @Test func knownReverseNamesAndClusterMissesStayLocal() throws {
        let known = try #require(try forwarding.ask("69.228.96.10.in-addr.arpa", PTR))
        #expect(known.rcode == 0 && known.aa && known.answer.count == 1)
        let miss = try #require(try forwarding.ask("missing.ecommerce.svc.cluster.local", A))
        #expect(miss.rcode == 3 && miss.aa)
        let staticMiss = try #require(try forwarding.ask("nothere.example.internal", A))
        #expect(staticMiss.rcode == 3 && staticMiss.aa)
    }

    @Test func withoutForwardingTheAnswersStayAsTheyWere() throws {
        let plain = try TestZone()
        #expect(try plain.ask("example.com", A)?.rcode == 5)
        let reverse = try #require(try plain.ask("9.9.9.9.in-addr.arpa", PTR))
        #expect(reverse.rcode == 3 && reverse.authority.first?.hasPrefix("in-addr.arpa.") == true)
    }

    @Test func rejectedPacketsAreNeverForwarded() throws {
        var packet = try QueryEncoder.query(name: "example.com", type: A)
        packet[2] |= 0x10  // opcode 2
        #expect(try forwarding.send(packet)?.rcode == 4)
        #expect(try forwarding.ask("example.com", A, qclass: 3)?.rcode == 5)
    }
}
