import DNSWire
import Foundation
import Testing

/// SPEC.md section 5 against the real binary: the test's own client (127.0.0.1) is a pod of
/// `ecommerce` in the manifests, so its search-walk misses are finished by the server.
@Suite("Autopath", .serialized)
struct AutopathTests {
    /// Runs `body` with a server on the seed cluster + the client pod, forwarding to `upstream`.
    func withServer(
        _ upstream: FakeUpstream?, _ flags: [String] = [], _ body: (DNSClient) throws -> Void
    ) throws {
        let manifests = try Fixtures.seedWithPod(ip: "127.0.0.1")
        defer { try? FileManager.default.removeItem(atPath: manifests) }
        let upstreams = upstream.map { ["--upstream", $0.address] } ?? ["--upstream", "none"]
        let server = try ForwardingServer(upstreams + flags, manifests: manifests)
        defer { server.stop() }
        try body(DNSClient(port: server.port))
    }

    static func upstream() async throws -> FakeUpstream {
        let upstream = try await FakeUpstream.start()
        upstream.set("example.com", .init(answer: [ForwardingTests.a("example.com", [93, 184, 216, 34])]))
        upstream.set("my.database.example.com", .init(answer: [ForwardingTests.a("my.database.example.com", [192, 0, 2, 7])]))
        for name in ["nope", "payment-service", "payment-service.prod-env"] {
            upstream.set(name, .init(rcode: 3, authority: [ForwardingTests.soa("example", ttl: 60, minimum: 60)]))
        }
        return upstream
    }

    @Test func anotherNamespacesServiceIsOneRoundTrip() throws {
        try withServer(nil) { client in
            let reply = try #require(try client.ask("Payment-Service.prod-env.ecommerce.svc.cluster.local", RecordType.a, id: 77))
            #expect(reply.rcode == 0 && reply.aa && reply.id == 77)
            #expect(reply.question.first?.hasPrefix("Payment-Service.prod-env.ecommerce.svc.cluster.local.") == true)
            #expect(reply.answer == [
                "Payment-Service.prod-env.ecommerce.svc.cluster.local. 5 IN CNAME payment-service.prod-env.svc.cluster.local.",
                "payment-service.prod-env.svc.cluster.local. 5 IN A 10.96.100.10",
            ])
            // Over TCP the same, and a name at the zone step (`<name>.<zone>`).
            let tcp = try #require(try client.tcp(QueryEncoder.query(
                name: "dns-version.ecommerce.svc.cluster.local", type: RecordType.txt)))
            #expect(tcp.rcode == 0)
            #expect(tcp.answer == [
                "dns-version.ecommerce.svc.cluster.local. 5 IN CNAME dns-version.cluster.local.",
                "dns-version.cluster.local. 28800 IN TXT \"1.1.0\"",
            ])
        }
    }

    @Test func theClientsOwnNamespaceAndUnknownNamesAreUnchanged() throws {
        try withServer(nil) { client in
            let own = try #require(try client.ask("product-service.ecommerce.svc.cluster.local", RecordType.a))
            #expect(own.answer == ["product-service.ecommerce.svc.cluster.local. 5 IN A 10.96.228.69"])
            // A walk that is not the client's own namespace is not autopath's to finish.
            let other = try #require(try client.ask("payment-service.ecommerce.prod-env.svc.cluster.local", RecordType.a))
            #expect(other.rcode == 3 && other.answer.isEmpty && other.authority.count == 1)
            // Nothing along the walk, no upstream: the plain NXDOMAIN with the SOA.
            let nothing = try #require(try client.ask("nope.ecommerce.svc.cluster.local", RecordType.a))
            #expect(nothing.rcode == 3 && nothing.aa && nothing.authority.first?.contains(" SOA ") == true)
            // A name that exists with another type: the CNAME and NODATA of the found name.
            let nodata = try #require(try client.ask("payment-service.prod-env.ecommerce.svc.cluster.local", RecordType.aaaa))
            #expect(nodata.rcode == 0 && nodata.answer.count == 1 && nodata.answer[0].contains(" CNAME "))
        }
    }

    @Test func autopathOffAnswersNXDOMAIN() throws {
        try withServer(nil, ["--autopath", "off"]) { client in
            let reply = try #require(try client.ask("payment-service.prod-env.ecommerce.svc.cluster.local", RecordType.a))
            #expect(reply.rcode == 3 && reply.answer.isEmpty)
        }
    }

    @Test func theLastStepAsksTheUpstreamOnce() async throws {
        let upstream = try await Self.upstream()
        try withServer(upstream) { client in
            let reply = try #require(try client.ask("Example.com.ecommerce.svc.cluster.local", RecordType.a, id: 5))
            #expect(reply.rcode == 0 && reply.id == 5 && reply.ra)
            #expect(reply.question.first?.hasPrefix("Example.com.ecommerce.svc.cluster.local.") == true)
            #expect(reply.answer == [
                "Example.com.ecommerce.svc.cluster.local. 5 IN CNAME example.com.",
                "example.com. 300 IN A 93.184.216.34",
            ])
            // Cached upstream: the second walk costs the upstream nothing.
            let again = try #require(try client.ask("example.com.ecommerce.svc.cluster.local", RecordType.a))
            #expect(again.answer.count == 2)
            // Not found upstream either: the asked name's own NXDOMAIN.
            let nothing = try #require(try client.ask("nope.ecommerce.svc.cluster.local", RecordType.a))
            #expect(nothing.rcode == 3 && nothing.aa && nothing.answer.isEmpty)
            #expect(nothing.authority.first?.hasPrefix("cluster.local. ") == true)
            // A cluster hit never goes upstream.
            let cluster = try #require(try client.ask("payment-service.prod-env.ecommerce.svc.cluster.local", RecordType.a))
            #expect(cluster.answer.count == 2 && cluster.aa)
        }
        #expect(upstream.udpQueries("example.com") == 1)
        #expect(upstream.udpQueries("nope") == 1)
        #expect(upstream.udpQueries("payment-service.prod-env") == 0)
        try await upstream.stop()
    }

    @Test func externalNameTargetsOutsideOurZonesResolveUpstream() async throws {
        let upstream = try await Self.upstream()
        try withServer(upstream) { client in
            let reply = try #require(try client.ask("my-database.ecommerce.svc.cluster.local", RecordType.a))
            #expect(reply.rcode == 0)
            #expect(reply.answer == [
                "my-database.ecommerce.svc.cluster.local. 5 IN CNAME my.database.example.com.",
                "my.database.example.com. 300 IN A 192.0.2.7",
            ])
            // Its CNAME query and SRV are not chased.
            let cname = try #require(try client.ask("my-database.ecommerce.svc.cluster.local", RecordType.cname))
            #expect(cname.answer.count == 1 && cname.aa)
            // Through autopath too: the alias, the ExternalName's CNAME, the upstream's address.
            let short = try #require(try client.ask("my-database.ecommerce.ecommerce.svc.cluster.local", RecordType.a))
            #expect(short.answer == [
                "my-database.ecommerce.ecommerce.svc.cluster.local. 5 IN CNAME my-database.ecommerce.svc.cluster.local.",
                "my-database.ecommerce.svc.cluster.local. 5 IN CNAME my.database.example.com.",
                "my.database.example.com. 300 IN A 192.0.2.7",
            ])
        }
        #expect(upstream.udpQueries("my.database.example.com") == 1)
        try await upstream.stop()
    }

    @Test func externalNameWithoutUpstreamIsTheCNAMEAlone() throws {
        try withServer(nil) { client in
            let reply = try #require(try client.ask("my-database.ecommerce.svc.cluster.local", RecordType.a))
            #expect(reply.rcode == 0 && reply.answer == [
                "my-database.ecommerce.svc.cluster.local. 5 IN CNAME my.database.example.com.",
            ])
        }
    }

    @Test func theFlagTakesOnOrOffAndItsEnvironmentTwinToo() throws {
        let bad = try ForwardingServer.runToExit(["--autopath", "maybe", "--dns", "127.0.0.1:0"])
        #expect(bad.status != 0 && bad.stderr.contains("--autopath must be on or off, got 'maybe'"), "\(bad.stderr)")
        let manifests = try Fixtures.seedWithPod(ip: "127.0.0.1")
        defer { try? FileManager.default.removeItem(atPath: manifests) }
        let server = try ForwardingServer(["--upstream", "none"], environment: ["CLUSTERDNS_AUTOPATH": "off"], manifests: manifests)
        defer { server.stop() }
        #expect(server.log.contains("dns.autopath=off"))
        let reply = try #require(try DNSClient(port: server.port).ask("payment-service.prod-env.ecommerce.svc.cluster.local", RecordType.a))
        #expect(reply.rcode == 3)
    }
}
