import Foundation
import Testing

/// `dnsctl resolve` (the built binary) against `clusterdns` serving examples/seed.yaml.
@Suite("dnsctl resolve", .serialized)
struct DnsctlResolveTests {
    static var dnsctl: String { ForwardingServer.binary.deletingLastPathComponent().appendingPathComponent("dnsctl").path }

    func withServer(_ body: (Int) async throws -> Void) async throws {
        let server = try ForwardingServer(["--upstream", "none"], manifests: Fixtures.seedManifests)
        defer { server.stop() }
        try await body(server.port)
    }

    func resolve(_ arguments: [String], port: Int) async throws -> CommandOutput {
        try await Command.run(Self.dnsctl, ["resolve"] + arguments + ["--dns", "127.0.0.1:\(port)"], timeout: 20)
    }

    @Test func aServiceOfTheOwnNamespaceIsTheFirstTry() async throws {
        try await withServer { port in
            let output = try await resolve(["payment-service", "-n", "ecommerce"], port: port)
            #expect(output.status == 0, "\(output)")
            let lines = output.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first == "pod namespace ecommerce: search ecommerce.svc.cluster.local svc.cluster.local cluster.local (ndots:5)")
            #expect(lines.contains("try 1: payment-service.ecommerce.svc.cluster.local. → NOERROR"))
            #expect(lines.contains("    payment-service.ecommerce.svc.cluster.local. 5 IN A 10.96.111.53"))
            #expect(lines.last == "result: payment-service.ecommerce.svc.cluster.local. after 1 query")
        }
    }

    @Test func whyANameWorksFromOneNamespaceAndNotAnother() async throws {
        try await withServer { port in
            let ecommerce = try await resolve(["payment-service.prod-env", "-n", "ecommerce"], port: port)
            #expect(ecommerce.status == 0)
            #expect(ecommerce.stdout.contains("try 1: payment-service.prod-env.ecommerce.svc.cluster.local. → NXDOMAIN\n"))
            #expect(ecommerce.stdout.contains("try 2: payment-service.prod-env.svc.cluster.local. → NOERROR\n"))
            #expect(ecommerce.stdout.hasSuffix("result: payment-service.prod-env.svc.cluster.local. after 2 queries\n"))
            // api-gateway lives in ecommerce only: from default every try misses.
            let other = try await resolve(["api-gateway", "-n", "default"], port: port)
            #expect(other.status == 1)
            #expect(other.stdout.contains("try 1: api-gateway.default.svc.cluster.local. → NXDOMAIN"))
            #expect(other.stdout.contains("try 4: api-gateway. → REFUSED"))
            #expect(other.stdout.hasSuffix("result: not found after 4 queries (NXDOMAIN)\n"))
        }
    }

    @Test func typesNdotsAndTheEnvironmentTwin() async throws {
        try await withServer { port in
            // AAAA of an IPv4-only service: NODATA on the first try, and the walk goes on.
            let aaaa = try await resolve(["product-service", "-n", "ecommerce", "-t", "AAAA"], port: port)
            #expect(aaaa.status == 1)
            #expect(aaaa.stdout.contains("try 1: product-service.ecommerce.svc.cluster.local. → NOERROR (no records of this type)"))
            #expect(aaaa.stdout.hasSuffix("(NODATA)\n"))
            let srv = try await resolve(["_http._tcp.product-service", "-t", "srv", "-n", "ecommerce"], port: port)
            #expect(srv.status == 0 && srv.stdout.contains("IN SRV 0 100 80 product-service.ecommerce.svc.cluster.local."))
            // Five dots or more: as it is, first.
            let long = try await resolve(["a.b.c.d.e.f", "-n", "default"], port: port)
            #expect(long.stdout.contains("try 1: a.b.c.d.e.f. → "))
            // An absolute name: only itself.
            let absolute = try await resolve(["dns-version.cluster.local.", "-t", "TXT"], port: port)
            #expect(absolute.status == 0 && absolute.stdout.contains("after 1 query"))
            let environment = try await Command.run(
                "/usr/bin/env", ["DNSCTL_DNS=127.0.0.1:\(port)", Self.dnsctl, "resolve", "payment-service", "-n", "prod-env"])
            #expect(environment.status == 0 && environment.stdout.contains("10.96.100.10"), "\(environment)")
            let bad = try await resolve(["x", "-t", "BOGUS"], port: port)
            #expect(bad.status != 0 && bad.stderr.contains("unknown record type 'BOGUS'"))
        }
    }
}
