import Testing

/// nslookup, as a person debugging a pod would run it, with `-port=`.
@Suite("nslookup against the seed cluster", .seedServer)
struct NslookupTests {
    func nslookup(_ name: String, port: Int) async throws -> CommandOutput {
        try await Command.run("nslookup", ["-port=\(port)", "-timeout=2", "-retry=1", name, "127.0.0.1"], timeout: 20)
    }

    @Test("a service name shows its address")
    func serviceAddress() async throws {
        let server = try SeedServerTrait.server()
        let output = try await nslookup("product-service.ecommerce.svc.cluster.local", port: server.port)
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        #expect(output.stdout.contains("Address:\t127.0.0.1#\(server.port)"), "\(output.stdout)")
        #expect(
            output.stdout.contains("Name:\tproduct-service.ecommerce.svc.cluster.local\nAddress: 10.96.228.69\n"),
            "\(output.stdout)")
        // nslookup also asks AAAA: NODATA must stay silent, not an error line.
        #expect(!output.stdout.contains("can't find"), "\(output.stdout)")
    }

    @Test("an unknown name shows NXDOMAIN", arguments: [
        "unknown-service.ecommerce.svc.cluster.local", "product-service.svc.cluster.local",
    ])
    func unknownName(name: String) async throws {
        let server = try SeedServerTrait.server()
        let output = try await nslookup(name, port: server.port)
        #expect(output.status == 1, "\(output.stdout)\(output.stderr)")
        #expect(output.stdout.contains("** server can't find \(name): NXDOMAIN"), "\(output.stdout)")
    }
}
