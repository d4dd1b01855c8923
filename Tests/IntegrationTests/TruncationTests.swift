import Testing

/// A 40-endpoint headless service: about 700 bytes of A records, more than a 512-byte UDP
/// buffer and less than the default 1232.
@Suite("truncation: UDP TC=1, everything over TCP", .serialized)
struct TruncationTests {
    static let name = "big-headless.bulk.svc.cluster.local"
    static let allAddresses = (1...40).map { "A 10.244.100.\($0)" }.sorted()

    func withBigService(_ body: (RunningServer) async throws -> Void) async throws {
        let data = try TemporaryDirectory(prefix: "truncation")
        defer { data.remove() }
        let manifests = try data.write(
            "big.yaml", Fixtures.headlessService(name: "big-headless", namespace: "bulk", endpoints: 40))
        let zones = try data.subdirectory("zones")
        try await withServer(["--manifests", manifests, "--zones-dir", zones], body)
    }

    @Test("each way of asking")
    func truncation() async throws {
        try await withBigService { server in
            // +ignore: dig shows the truncated UDP reply instead of retrying over TCP.
            let udp = try await Dig.query(Self.name, "A", port: server.port, ["+bufsize=512", "+ignore"])
            #expect(udp.status == "NOERROR", "\(udp)")
            #expect(udp.flags.isSuperset(of: ["qr", "aa", "tc"]), "\(udp)")
            #expect(udp.transport == "UDP", "\(udp)")
            #expect(udp.answer.count < 40, "\(udp)")
            #expect(Set(udp.answerSet).isSubset(of: Self.allAddresses), "\(udp)")

            let tcp = try await Dig.query(Self.name, "A", port: server.port, ["+tcp"])
            #expect(tcp.status == "NOERROR", "\(tcp)")
            #expect(!tcp.flags.contains("tc"), "\(tcp)")
            #expect(tcp.answerSet == Self.allAddresses, "\(tcp)")

            // Plain dig sees TC=1 and retries over TCP by itself.
            let retried = try await Dig.query(Self.name, "A", port: server.port, ["+bufsize=512"])
            #expect(retried.transport == "TCP", "\(retried)")
            #expect(retried.output.contains(";; Truncated, retrying in TCP mode."), "\(retried)")
            #expect(retried.answerSet == Self.allAddresses, "\(retried)")

            // The default EDNS size (1232) holds all 40 over UDP.
            let large = try await Dig.query(Self.name, "A", port: server.port)
            #expect(large.transport == "UDP" && !large.flags.contains("tc"), "\(large)")
            #expect(large.answerSet == Self.allAddresses, "\(large)")
        }
    }

    @Test("40 endpoints rotate")
    func roundRobin() async throws {
        try await withBigService { server in
            var firstRecords: Set<String> = []
            for _ in 0..<6 {
                let reply = try await Dig.query(Self.name, "A", port: server.port, ["+tcp"])
                #expect(reply.answer.count == 40, "\(reply)")
                if let first = reply.answer.first { firstRecords.insert(first.data) }
                if firstRecords.count >= 2 { break }
            }
            #expect(firstRecords.count >= 2, "the same first record every time: \(firstRecords)")
        }
    }
}
