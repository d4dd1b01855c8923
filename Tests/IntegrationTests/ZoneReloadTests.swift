import Foundation
import Testing

/// Static zone files edited while the server runs (SPEC.md section 4.1).
@Suite("static zone reload")
struct ZoneReloadTests {
    static let gateway = "gateway.example.internal"
    static let zoneFileName = "example.internal.zone"

    /// A server on a private copy of `zones/`, so editing it touches nothing shared. The seed
    /// manifests keep it off the embedded registry (and its API port), which these tests do not need.
    func withZoneCopy(_ body: (RunningServer, TemporaryDirectory) async throws -> Void) async throws {
        let zones = try TemporaryDirectory(prefix: "zones")
        defer { zones.remove() }
        try zones.copy(Fixtures.exampleZoneFile, as: Self.zoneFileName)
        try await withServer(["--manifests", Fixtures.seedManifests, "--zones-dir", zones.path]) { server in
            try await body(server, zones)
        }
    }

    /// Asks every 100 ms until `gateway` answers `address`; the reply that matched, or nil
    /// after `seconds`.
    func waitForGateway(_ address: String, port: Int, seconds: Double = 10) async throws -> DigReply? {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            let reply = try await Dig.query(Self.gateway, "A", port: port)
            if reply.answerSet == ["A \(address)"] { return reply }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    @Test("an edited zone file is served within seconds")
    func editIsServed() async throws {
        try await withZoneCopy { server, zones in
            let before = try await Dig.query(Self.gateway, "A", port: server.port)
            #expect(before.answerSet == ["A 192.0.2.1"], "\(before)")
            try zones.write(Self.zoneFileName, try Fixtures.exampleZone(gatewayAddress: "192.0.2.99"))
            let after = try await waitForGateway("192.0.2.99", port: server.port)
            #expect(after != nil, "the edit was not served within 10 s; log:\n\(server.logText)")
            #expect(after?.flags.contains("aa") == true)
        }
    }

    @Test("a broken zone file is reported with its line and the previous version keeps serving")
    func brokenFileKeepsPrevious() async throws {
        try await withZoneCopy { server, zones in
            // First a good edit, so "previous" means the last good version, not the start-up one.
            try zones.write(Self.zoneFileName, try Fixtures.exampleZone(gatewayAddress: "192.0.2.99"))
            let edited = try await waitForGateway("192.0.2.99", port: server.port)
            try #require(edited != nil, "the good edit was not served; log:\n\(server.logText)")

            let good = try Fixtures.exampleZone(gatewayAddress: "192.0.2.50")
            let brokenLine = good.split(separator: "\n", omittingEmptySubsequences: false).count
            try zones.write(Self.zoneFileName, good + "broken  IN A    not-an-address\n")
            let reported = try await waitForLog(of: server, matching: #/example\.internal\.zone:(\d+)/#)
            #expect(reported.flatMap { Int($0.1) } == brokenLine, "log:\n\(server.logText)")

            let reply = try await Dig.query(Self.gateway, "A", port: server.port)
            #expect(reply.answerSet == ["A 192.0.2.99"], "\(reply)")
            let broken = try await Dig.query("broken.example.internal", "A", port: server.port)
            #expect(broken.status == "NXDOMAIN", "\(broken)")

            // Fixed again: served again.
            try zones.write(Self.zoneFileName, good)
            let fixed = try await waitForGateway("192.0.2.50", port: server.port)
            #expect(fixed != nil, "the fixed file was not served; log:\n\(server.logText)")
        }
    }

    /// Polls the server's stderr every 50 ms until `pattern` matches, at most `seconds`.
    func waitForLog<Output>(
        of server: RunningServer, matching pattern: Regex<Output>, seconds: Double = 10
    ) async throws -> Output? {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if let match = try server.log().firstMatch(of: pattern) { return match.output }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }
}
