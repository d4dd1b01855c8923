import ClusterZone
import Logging
import NIOCore

/// The UDP hot path: synchronous, one response buffer per datagram written straight by the
/// responder, flushed once per batch of reads.
final class UDPHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let responder: LoopResponder
    /// Present when forwarding is on (the responder forwards only then).
    private let forwarder: Forwarder?
    private let counters: QueryCounters
    /// Present with `--log-queries` only.
    private let queryLog: QueryLog?
    private let capacity: Int
    private let logger: Logger

    init(responder: LoopResponder, forwarder: Forwarder?, counters: QueryCounters, queryLog: QueryLog?, logger: Logger) {
        self.logger = logger
        self.responder = responder
        self.forwarder = forwarder
        self.counters = counters
        self.queryLog = queryLog
        self.capacity = max(responder.current.maxUDPSize, 1024)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let started = NIODeadline.now().uptimeNanoseconds
        let envelope = unwrapInboundIn(data)
        var response = context.channel.allocator.buffer(capacity: capacity)
        var result = Responder.Result.silent
        let responder = self.responder.current
        let client = ClientAddress.of(envelope.remoteAddress)
        _ = envelope.data.withUnsafeReadableBytes { query in
            response.writeWithUnsafeMutableBytes(minimumWritableBytes: capacity) { out in
                result = responder.respond(to: query, over: .udp, into: out, from: client)
                switch result {
                case .reply(let length): return length
                case .chase(let chase): return chase.fallbackLength
                case .silent, .forward: return 0
                }
            }
        }
        switch result {
        case .reply: break
        case .silent: return
        case .forward(let query):
            counters.forwarded(.udp, type: query.type)
            forwarder?.forward(
                envelope.data, query: query, reply: .udp(context.channel, envelope.remoteAddress), received: started)
            return
        case .chase(let chase):
            if let forwarder {
                counters.forwarded(.udp, type: chase.query.type)
                forwarder.chase(
                    envelope.data, chase, fallback: Array(response.readableBytesView),
                    reply: .udp(context.channel, envelope.remoteAddress), received: started)
                return
            }
        }
        let elapsed = NIODeadline.now().uptimeNanoseconds &- started
        response.withUnsafeReadableBytes { bytes in
            counters.answered(
                .udp, type: ResponseFields.questionType(bytes), rcode: ResponseFields.rcode(bytes), nanoseconds: elapsed)
            queryLog?.record(client: envelope.remoteAddress, transport: .udp, response: bytes, nanoseconds: elapsed)
        }
        context.write(
            wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: response)),
            promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A datagram socket stays open after a failed read or write: one bad peer must not
        // stop the others from being answered. Logged once per kind of error and loop.
        if counters.firstReport(of: "\(error)") {
            logger.warning("UDP socket error, still serving (logged once)", metadata: [
                "error": "\(error)", "dns.listen": "\(context.channel.localAddress.map { "\($0)" } ?? "-")",
            ])
        }
    }
}
