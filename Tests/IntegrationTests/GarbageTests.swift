import Testing

/// A raw datagram and what SPEC.md section 6 says it gets: nothing, or a reply with an RCODE.
struct GarbageCase: Sendable, CustomTestStringConvertible {
    var label: String
    var packet: [UInt8]
    /// nil: no reply at all.
    var rcode: UInt8?

    var testDescription: String { label }
}

/// Datagrams dig will not send. Each test has its own server: one that crashes must not take
/// the other suites down with it.
@Suite("garbage datagrams")
struct GarbageTests {
    static let silence = 300  // ms without a reply that count as "dropped"
    static let patience = 2000  // ms to wait for a reply that must come (a loaded machine is slow)

    static let cases: [GarbageCase] = [
        GarbageCase(label: "5 bytes, shorter than a header", packet: [0x12, 0x34, 0x01, 0x00, 0x00], rcode: nil),
        GarbageCase(label: "QR=1, a response", packet: QueryPacket.make(flags: 0x8100), rcode: nil),
        GarbageCase(label: "QDCOUNT=2", packet: QueryPacket.make(qdcount: 2, questions: 2), rcode: 1),
        GarbageCase(label: "QDCOUNT=0", packet: QueryPacket.make(qdcount: 0, questions: 0), rcode: 1),
        GarbageCase(
            label: "header fine, question cut short",
            packet: Array(QueryPacket.make().dropLast(3)), rcode: 1),
        GarbageCase(label: "a well-formed query, as a control", packet: QueryPacket.make(), rcode: 0),
    ]

    @Test("reply or silence, then the server still answers dig", arguments: cases)
    func garbage(_ row: GarbageCase) async throws {
        try await withServer(seedArguments) { server in
            let packet = row.packet
            let wait = row.rcode == nil ? Self.silence : Self.patience
            let reply = try await offCooperativePool {
                try LoopbackSocket.exchangeUDP(packet, port: server.port, timeoutMilliseconds: wait)
            }
            if let rcode = row.rcode {
                let header = try #require(reply.flatMap { ReplyHeader($0) }, "no reply within \(wait) ms")
                #expect(header == ReplyHeader(id: 0x1234, isResponse: true, rcode: rcode))
            } else {
                let header = reply.flatMap { ReplyHeader($0) }.map(\.description) ?? "?"
                #expect(reply == nil, "expected silence, got a reply: \(header)")
            }
            let after = try await Dig.query("product-service.ecommerce.svc.cluster.local", "A", port: server.port)
            #expect(after.answerSet == ["A 10.96.228.69"], "\(after)")
        }
    }
}
