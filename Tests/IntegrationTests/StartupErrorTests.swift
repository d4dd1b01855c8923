import Testing

/// Who holds the port before clusterdns tries to bind it.
enum PortHolder: String, Sendable, CaseIterable, CustomTestStringConvertible {
    /// Another clusterdns (both use SO_REUSEPORT for UDP: the TCP bind must still refuse).
    case clusterdns
    /// A plain UDP socket of ours.
    case udpSocket
    /// A plain listening TCP socket of ours.
    case tcpListener

    var testDescription: String { rawValue }
}

/// "A port that cannot be bound is a clear one-line error naming the flag" (issue 2).
@Suite("start-up errors")
struct StartupErrorTests {
    @Test("a port already bound: non-zero exit, one line on stderr naming --dns", arguments: PortHolder.allCases)
    func portInUse(holder: PortHolder) async throws {
        switch holder {
        case .clusterdns:
            try await withServer(seedArguments) { first in
                try await expectBindFailure(port: first.port)
                // The first one is unharmed.
                let reply = try await Dig.query("product-service.ecommerce.svc.cluster.local", port: first.port)
                #expect(reply.answerSet == ["A 10.96.228.69"], "\(reply)")
            }
        case .udpSocket:
            let socket = try LoopbackSocket(.udp)
            try socket.bind(port: 0)
            try await expectBindFailure(port: try socket.localPort())
        case .tcpListener:
            let socket = try LoopbackSocket(.tcp)
            try socket.bind(port: 0)
            try socket.listen()
            try await expectBindFailure(port: try socket.localPort())
        }
    }

    /// Runs a second clusterdns on `port` with the seed data and checks how it fails. A server
    /// that binds anyway keeps running: the 20 s timeout kills it and the test fails.
    func expectBindFailure(port: Int) async throws {
        let scratch = try TemporaryDirectory(prefix: "startup")
        defer { scratch.remove() }
        let output = try await Command.run(
            try ServerProcess.binaryPath(),
            ["--dns", "127.0.0.1:\(port)", "--data-dir", scratch.path + "/data"] + seedArguments, timeout: 20)
        #expect(output.status != 0)
        #expect(output.stderrLines.count == 1, "stderr:\n\(output.stderr)")
        let line = try #require(output.stderrLines.last)
        #expect(line.contains("--dns 127.0.0.1:\(port)"), "\(line)")
        #expect(line.contains("Address already in use"), "\(line)")
    }
}
