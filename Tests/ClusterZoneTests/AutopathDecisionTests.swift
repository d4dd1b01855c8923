import ClusterModel
import ClusterZone
import DNSWire
import Testing

/// One autopath query: who asks (nil: an address that is no pod), what, and the whole reply.
struct AutopathCase: CustomTestStringConvertible, Sendable {
    let client: String?
    let name: String
    let type: UInt16
    let rcode: Int
    let answer: [String]
    let authority: [String]

    var testDescription: String { "\(client ?? "-") asks \(name) \(LDNSTypeName.of(type))" }
}

func client(_ ip: String) -> ClientAddress {
    ClientAddress(bytes: IPAddress(ip)!.bytes)!
}

@Suite("Autopath: SPEC.md section 5")
struct AutopathDecisionTests {
    /// 10.244.9.9 is a Pod of `test`; 10.244.1.10 an endpoint whose targetRef is a pod of `ecommerce`.
    static let testPod = "10.244.9.9"
    static let ecommercePod = "10.244.1.10"

    static let cases: [AutopathCase] = [
        // <name>.svc.<zone>: another namespace's service.
        AutopathCase(
            client: testPod, name: "product-service.ecommerce.test.svc.cluster.local", type: A, rcode: 0,
            answer: [
                "product-service.ecommerce.test.svc.cluster.local. 5 IN CNAME product-service.ecommerce.svc.cluster.local.",
                "product-service.ecommerce.svc.cluster.local. 5 IN A 10.96.228.69",
            ], authority: []),
        // The echo of the asked spelling in the alias's owner.
        AutopathCase(
            client: ecommercePod, name: "Payment-Service.PROD-ENV.ecommerce.svc.cluster.local", type: A, rcode: 0,
            answer: [
                "Payment-Service.PROD-ENV.ecommerce.svc.cluster.local. 5 IN CNAME payment-service.prod-env.svc.cluster.local.",
                "payment-service.prod-env.svc.cluster.local. 5 IN A 10.96.100.10",
            ], authority: []),
        // <name>.<zone>.
        AutopathCase(
            client: ecommercePod, name: "dns-version.ecommerce.svc.cluster.local", type: TXT, rcode: 0,
            answer: [
                "dns-version.ecommerce.svc.cluster.local. 5 IN CNAME dns-version.cluster.local.",
                "dns-version.cluster.local. 28800 IN TXT \"1.1.0\"",
            ], authority: []),
        // A synthesized pod name found at the zone step.
        AutopathCase(
            client: ecommercePod, name: "10-1-2-3.test.pod.ecommerce.svc.cluster.local", type: A, rcode: 0,
            answer: [
                "10-1-2-3.test.pod.ecommerce.svc.cluster.local. 5 IN CNAME 10-1-2-3.test.pod.cluster.local.",
                "10-1-2-3.test.pod.cluster.local. 5 IN A 10.1.2.3",
            ], authority: []),
        // A name that exists without that type: the alias and the found name's NODATA.
        AutopathCase(
            client: ecommercePod, name: "payment-service.prod-env.ecommerce.svc.cluster.local", type: AAAA, rcode: 0,
            answer: [
                "payment-service.prod-env.ecommerce.svc.cluster.local. 5 IN CNAME payment-service.prod-env.svc.cluster.local.",
            ], authority: [SOA.cluster]),
        // Nothing along the walk (no upstream): the plain NXDOMAIN.
        AutopathCase(client: ecommercePod, name: "nope.ecommerce.svc.cluster.local", type: A, rcode: 3, answer: [], authority: [SOA.cluster]),
        // Not a pod, or a pod of another namespace than the walk's: no autopath.
        AutopathCase(client: nil, name: "payment-service.prod-env.ecommerce.svc.cluster.local", type: A, rcode: 3, answer: [], authority: [SOA.cluster]),
        AutopathCase(client: "10.9.9.9", name: "payment-service.prod-env.ecommerce.svc.cluster.local", type: A, rcode: 3, answer: [], authority: [SOA.cluster]),
        AutopathCase(client: testPod, name: "payment-service.prod-env.ecommerce.svc.cluster.local", type: A, rcode: 3, answer: [], authority: [SOA.cluster]),
        // The namespace name alone is no search-walk miss (it exists: NODATA).
        AutopathCase(client: ecommercePod, name: "ecommerce.svc.cluster.local", type: A, rcode: 0, answer: [], authority: [SOA.cluster]),
        // A hit stays a hit: no alias.
        AutopathCase(
            client: ecommercePod, name: "product-service.ecommerce.svc.cluster.local", type: A, rcode: 0,
            answer: ["product-service.ecommerce.svc.cluster.local. 5 IN A 10.96.228.69"], authority: []),
    ]

    let zone = try! TestZone()

    @Test(arguments: cases)
    func row(_ row: AutopathCase) throws {
        let reply = try #require(try zone.ask(row.name, row.type, from: row.client.map(client)))
        #expect(reply.rcode == row.rcode)
        #expect(reply.aa && !reply.ra && !reply.tc)
        #expect(reply.question.first?.hasPrefix(row.name + ".") == true)
        #expect(reply.answer == row.answer)
        #expect(reply.authority == row.authority)
    }

    @Test func staticZonesAreSearchedToo() throws {
        let reply = try #require(try zone.ask("gateway.example.internal.ecommerce.svc.cluster.local", A, from: client(Self.ecommercePod)))
        #expect(reply.rcode == 0 && reply.aa)
        #expect(reply.answer.first == "gateway.example.internal.ecommerce.svc.cluster.local. 5 IN CNAME gateway.example.internal.")
        #expect(reply.answer.count >= 2 && reply.answer.dropFirst().allSatisfy { $0.hasPrefix("gateway.example.internal.") })
    }

    @Test func offMeansTheNXDOMAINOfTheAskedName() throws {
        let off = try TestZone(autopath: false)
        let reply = try #require(try off.ask("payment-service.prod-env.ecommerce.svc.cluster.local", A, from: client(Self.ecommercePod)))
        #expect(reply.rcode == 3 && reply.answer.isEmpty)
    }

    @Test func theLastStepIsAChaseForTheUpstream() throws {
        let forwarding = try TestZone(forwarding: true)
        let result = try forwarding.result("example.com.ecommerce.svc.cluster.local", A, from: client(Self.ecommercePod))
        guard case .chase(let chase) = result else {
            Issue.record("expected a chase, got \(result)")
            return
        }
        #expect(chase.target == (try DNSName("example.com")).wire)
        #expect(chase.isAutopath && !chase.keepsFallbackAnswers)
        let target = try DNSName("example.com")
        #expect(chase.aliases.count == 1 && chase.aliases.first?.data == .cname(target))
        // The fallback is the asked name's NXDOMAIN.
        let fallback = try #require(try forwarding.ask("example.com.ecommerce.svc.cluster.local", A, from: client(Self.ecommercePod)))
        #expect(fallback.rcode == 3 && fallback.authority == [SOA.cluster])
    }

    @Test func externalNameTargetsOutsideOurZonesAreChasedExceptSRVAndCNAME() throws {
        let forwarding = try TestZone(forwarding: true)
        let name = "my-database.ecommerce.svc.cluster.local"
        for type in [A, AAAA, TXT] {
            guard case .chase(let chase) = try forwarding.result(name, type) else {
                Issue.record("\(LDNSTypeName.of(type)): expected a chase")
                continue
            }
            #expect(chase.target == (try DNSName("my.database.example.com")).wire)
            #expect(chase.keepsFallbackAnswers && !chase.isAutopath && chase.aliases.isEmpty)
        }
        for type in [SRV, CNAME] {
            guard case .reply = try forwarding.result(name, type) else {
                Issue.record("\(LDNSTypeName.of(type)): expected a reply")
                continue
            }
        }
        // A target inside our zones is never chased; without upstreams nothing is.
        guard case .reply = try forwarding.result("alias.test.svc.cluster.local", A) else {
            Issue.record("in-zone alias chased")
            return
        }
        guard case .reply = try TestZone().result(name, A) else {
            Issue.record("chased without upstreams")
            return
        }
    }

    @Test func anAddressInTwoNamespacesIsLeftOutAndReported() throws {
        var extra = ClusterState()
        extra.pods = [Pod(name: "twin", namespace: "prod-env", ips: [Self.testPod])]
        let twin = try TestZone(extra: extra)
        let reply = try #require(try twin.ask("product-service.ecommerce.test.svc.cluster.local", A, from: client(Self.testPod)))
        #expect(reply.rcode == 3)
        #expect(twin.responder.snapshot.problems.contains { $0.contains("10.244.9.9 is in namespaces") })
    }

    @Test func autopathHitsAreCounted() throws {
        let counted = try TestZone()
        let before = counted.responder.autopathStatistics.hits
        _ = try counted.ask("payment-service.prod-env.ecommerce.svc.cluster.local", A, from: client(Self.ecommercePod))
        _ = try counted.ask("nope.ecommerce.svc.cluster.local", A, from: client(Self.ecommercePod))
        #expect(counted.responder.autopathStatistics.hits == before + 1)
        #expect(counted.responder.autopathStatistics.missed == 1)
    }

    @Test func ipv4MappedIPv6ClientsAreTheirIPv4Address() {
        let mapped = ClientAddress(bytes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 10, 244, 9, 9])
        #expect(mapped == client(Self.testPod))
        #expect(ClientAddress(bytes: [1, 2, 3]) == nil)
    }
}

extension AutopathDecisionTests {
    /// A label whose bytes end like `\tecommerce.svc...` is no search-walk miss of `ecommerce`.
    @Test func theSuffixMustStartOnALabel() throws {
        var packet = try QueryEncoder.query(name: "x.ecommerce.svc.cluster.local", type: A)
        // Turn `\x01x` + `\x09ecommerce` into one label `\x0Bx\x09ecommerce`, same bytes after it.
        packet[12] = 0x0B
        packet[13] = UInt8(ascii: "x")
        let reply = try #require(try zone.send(packet, from: client(Self.ecommercePod)))
        #expect(reply.rcode == 3 && reply.answer.isEmpty)
    }
}
