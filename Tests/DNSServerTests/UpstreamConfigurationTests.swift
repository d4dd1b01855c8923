import ClusterModel
import Testing

@testable import DNSServer

@Suite("Upstreams: flags, resolv.conf, forwarding loops")
struct UpstreamConfigurationTests {
    @Test(arguments: [
        ("1.1.1.1", "1.1.1.1:53"), ("10.0.0.2:5353", "10.0.0.2:5353"), ("2001:db8::1", "[2001:db8::1]:53"),
        ("[2001:db8::1]:54", "[2001:db8::1]:54"), ("[::1]", "[::1]:53"),
    ])
    func upstreamsParse(text: String, expected: String) {
        #expect(HostPort.upstream(text)?.description == expected)
    }

    @Test(arguments: ["dns.google", "1.1.1.1:0", "1.1.1.1:70000", "", "none"])
    func upstreamsThatAreNotAddressesAreRejected(text: String) {
        #expect(HostPort.upstream(text) == nil)
    }

    @Test func resolvConfGivesItsNameserversInOrder() {
        let parsed = ResolvConf.parse("""
            # a comment
            search default.svc.cluster.local svc.cluster.local
            nameserver 10.96.0.10
            nameserver\tfd00::53
            nameserver resolver.local
            nameserver fe80::1%lo
            options ndots:5
            """)
        #expect(parsed.upstreams.map(\.description) == ["10.96.0.10:53", "[fd00::53]:53", "[fe80::1%lo]:53"])
        #expect(parsed.skipped == ["resolver.local"])
    }

    @Test(arguments: [
        ("127.0.0.1:53", "127.0.0.1:53", true),
        ("127.0.0.1:53", "127.0.0.1:5353", false),
        ("0.0.0.0:53", "127.0.0.1:53", true),
        ("0.0.0.0:53", "127.0.0.53:53", true),
        ("127.0.0.1:53", "0.0.0.0:53", true),
        ("127.0.0.1:53", "127.0.0.53:53", false),
        ("[::]:53", "[::1]:53", true),
        ("[::]:53", "127.0.0.1:53", false),
        ("0.0.0.0:53", "192.0.2.10:53", true),
        ("0.0.0.0:53", "192.0.2.99:53", false),
        ("10.0.0.1:53", "10.0.0.2:53", false),
    ])
    func loopsAreRecognized(listen: String, upstream: String, isLoop: Bool) throws {
        let listenAddress = try #require(HostPort(listen))
        let upstreamAddress = try #require(HostPort.upstream(upstream))
        let locals = ["192.0.2.10"]
        #expect(ForwardingLoop.isSelf(upstreamAddress, listen: listenAddress, localAddresses: locals) == isLoop)
    }

    @Test func aLoopFromFlagsIsFatalAndFromResolvConfDroppedWithAWarning() throws {
        let listen = HostPort(host: "127.0.0.1", port: 53)
        let upstreams = [HostPort(host: "127.0.0.1", port: 53), HostPort(host: "10.0.0.2", port: 53)]
        let typed = ForwardingConfiguration(upstreams: upstreams, source: .flags)
        #expect(throws: ServerError.self) { try typed.withoutLoops(listen: listen) { _ in } }
        var warnings: [String] = []
        let found = try ForwardingConfiguration(upstreams: upstreams, source: .resolvConf)
            .withoutLoops(listen: listen) { warnings.append($0) }
        #expect(found.upstreams == [HostPort(host: "10.0.0.2", port: 53)])
        #expect(warnings.count == 1 && warnings[0].contains("127.0.0.1:53"))
        let onlyUs = try ForwardingConfiguration(upstreams: [upstreams[0]], source: .resolvConf)
            .withoutLoops(listen: listen) { warnings.append($0) }
        #expect(!onlyUs.isEnabled)
        #expect(warnings.last?.contains("REFUSED") == true)
    }
}
