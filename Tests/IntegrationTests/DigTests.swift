import Testing

/// `dig` as the integration tests run it (``Dig``).
@Suite("dig as the tests run it")
struct DigTests {
    /// dig can be given the port a server holds and get its own query back (``Dig/query``):
    /// a message without QR is asked again, not taken for an answer.
    @Test func itsOwnQueryBackIsAskedAgain() async throws {
        let upstream = try await FakeUpstream.start()
        upstream.set("echo.example", .init(answer: [ForwardingTests.a("echo.example", [192, 0, 2, 9])], echoFirstOverUDP: true))
        do {
            let reply = try await Dig.query("echo.example", port: upstream.port)
            #expect(reply.flags.contains("qr"))
            #expect(reply.answer.map(\.data) == ["192.0.2.9"])
            #expect(upstream.udpQueries("echo.example") == 2)
        } catch {
            try await upstream.stop()
            throw error
        }
        try await upstream.stop()
    }
}
