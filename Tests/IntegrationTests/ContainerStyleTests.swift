import Foundation
import Testing

/// Issue 4's container-style test: a pod's view of the server. A network namespace made by
/// the test (198.18.0.2) with the resolv.conf a pod of `ecommerce` gets, `clusterdns` on the
/// host side of a veth (198.18.0.1:53, because resolv.conf cannot name a port), a fake
/// upstream on 127.0.0.1, and glibc (`getent`), `nslookup` and `dig` run inside the namespace.
/// The manifests have a Pod at 198.18.0.2 in `ecommerce`, so autopath knows the client.
@Suite("Container-style resolv.conf", .serialized)
struct ContainerStyleTests {
    static let resolvConf = """
        nameserver \(NetworkNamespace.hostAddress)
        search ecommerce.svc.cluster.local svc.cluster.local cluster.local
        options ndots:5

        """

    @Test(
        "A pod's lookups through its search path, counted",
        .enabled(
            if: NetworkNamespace.unavailableReason == nil,
            "skipped: \(NetworkNamespace.unavailableReason ?? "") (the container-style test needs ip netns as root)"),
        .timeLimit(.minutes(2)))
    func podLookups() async throws {
        let host = try NetworkNamespace(resolvConf: Self.resolvConf)
        defer {
            let leftovers = host.remove()
            #expect(leftovers.isEmpty, "test host not fully removed: \(leftovers)")
        }
        let upstream = try await FakeUpstream.start()
        upstream.set("example.com", .init(answer: [ForwardingTests.a("example.com", [93, 184, 216, 34])]))
        let manifests = try Fixtures.seedWithPod(ip: NetworkNamespace.podAddress)
        defer { try? FileManager.default.removeItem(atPath: manifests) }
        let server = try ForwardingServer(
            ["--upstream", upstream.address], manifests: manifests, dns: "\(NetworkNamespace.hostAddress):53")
        defer { server.stop() }
        do {
            try await lookups(in: host, upstream: upstream, log: { server.log })
        } catch {
            Issue.record("server log:\n\(server.log)")
            throw error
        }
        try await upstream.stop()
    }

    private func lookups(in host: NetworkNamespace, upstream: FakeUpstream, log: () -> String) async throws {
        // glibc's resolver and its search path: the pod's own namespace first.
        let own = try await host.exec(["getent", "hosts", "payment-service"])
        #expect(own.status == 0 && own.stdout.hasPrefix("10.96.111.53 "), "\(own)")
        let other = try await host.exec(["getent", "hosts", "payment-service.prod-env"])
        #expect(other.status == 0 && other.stdout.hasPrefix("10.96.100.10 "), "\(other)")

        // nslookup and dig +search walk the same list and agree.
        let nslookup = try await host.exec(["nslookup", "product-service"])
        #expect(nslookup.stdout.contains("Name:\tproduct-service.ecommerce.svc.cluster.local"), "\(nslookup)")
        #expect(nslookup.stdout.contains("Address: 10.96.228.69"), "\(nslookup)")
        let dig = try await host.exec(["dig", "+search", "+short", "+tries=1", "+time=2", "product-service"])
        #expect(dig.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "10.96.228.69", "\(dig)")

        // Round trips per lookup, counted as the datagrams the namespace sent (A only: ahostsv4).
        // Without autopath each of the last three costs 2 to 4; with it, one.
        for (name, address) in [
            ("product-service", "10.96.228.69"), ("payment-service.prod-env", "10.96.100.10"),
            ("payment-service.prod-env.svc.cluster.local", "10.96.100.10"), ("example.com", "93.184.216.34"),
        ] {
            let before = try await host.udpDatagramsSent()
            let result = try await host.exec(["getent", "ahostsv4", name])
            let sent = try await host.udpDatagramsSent() - before
            #expect(result.status == 0 && result.stdout.hasPrefix(address + " "), "\(name): \(result)")
            #expect(sent == 1, "\(name): \(sent) queries, expected one round trip")
        }
        // The external name went through the fake upstream, asked once as itself.
        #expect(upstream.udpQueries("example.com") == 1)
        #expect(log().contains("dns.autopath=on, 4 pod addresses"))
    }
}
