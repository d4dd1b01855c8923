import ClusterZone
import Logging
import NIOCore
import Synchronization

/// Splits a TCP stream into DNS messages by their 2-byte length prefix (RFC 1035 4.2.2).
struct TCPFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self),
            buffer.readableBytes >= 2 + Int(length)
        else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 2)
        context.fireChannelRead(wrapInboundOut(buffer.readSlice(length: Int(length))!))
        return .continue
    }
}

/// Answers each framed query in order; closes idle connections and those over the cap.
final class TCPQueryHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let responder: LoopResponder
    /// Present when forwarding is on; its answers may come back out of order (RFC 7766 6.2.1.1).
    private let forwarder: Forwarder?
    private let connections: ConnectionCounter
    /// The peer, read once per connection (autopath looks it up on a search-walk miss).
    private var client: ClientAddress?
    private let counters: QueryCounters
    /// Present with `--log-queries` only.
    private let queryLog: QueryLog?
    private let logger: Logger

    init(
        responder: LoopResponder, forwarder: Forwarder?, connections: ConnectionCounter, counters: QueryCounters,
        queryLog: QueryLog?, logger: Logger
    ) {
        self.logger = logger
        self.responder = responder
        self.forwarder = forwarder
        self.connections = connections
        self.counters = counters
        self.queryLog = queryLog
    }

    func channelActive(context: ChannelHandlerContext) {
        client = context.channel.remoteAddress.flatMap(ClientAddress.of)
        if !connections.open() {
            context.close(promise: nil)
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        connections.close()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let started = NIODeadline.now().uptimeNanoseconds
        let query = unwrapInboundIn(data)
        let responder = self.responder.current
        let out = responder.largeBuffer
        let written: Int
        switch query.withUnsafeReadableBytes({ responder.respond(to: $0, over: .tcp, into: out, from: client) }) {
        case .reply(let length): written = length
        case .silent: return
        case .forward(let parsed):
            counters.forwarded(.tcp, type: parsed.type)
            forwarder?.forward(query, query: parsed, reply: .tcp(context.channel), received: started)
            return
        case .chase(let chase):
            guard let forwarder else {
                written = chase.fallbackLength
                break
            }
            let fallback = Array(UnsafeRawBufferPointer(rebasing: out[..<chase.fallbackLength]))
            counters.forwarded(.tcp, type: chase.query.type)
            forwarder.chase(query, chase, fallback: fallback, reply: .tcp(context.channel), received: started)
            return
        }
        let elapsed = NIODeadline.now().uptimeNanoseconds &- started
        let bytes = UnsafeRawBufferPointer(rebasing: out[..<written])
        counters.answered(
            .tcp, type: ResponseFields.questionType(bytes), rcode: ResponseFields.rcode(bytes), nanoseconds: elapsed)
        queryLog?.record(client: context.channel.remoteAddress, transport: .tcp, response: bytes, nanoseconds: elapsed)
        var response = context.channel.allocator.buffer(capacity: 2 + written)
        response.writeInteger(UInt16(written))
        response.writeBytes(bytes)
        context.write(wrapOutboundOut(response), promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A reset or a broken frame ends this connection only. Clients cause these: each kind
        // is logged once per loop, at debug level after that would be noise.
        if counters.firstReport(of: "tcp \(error)") {
            logger.info("TCP connection failed and was closed (logged once per kind)", metadata: [
                "error": "\(error)", "dns.client": "\(context.channel.remoteAddress.map { "\($0)" } ?? "-")",
            ])
        }
        context.close(promise: nil)
    }
}

/// Stops reading from a connection while its answers are not being read: a client that
/// pipelines queries and never reads its answers would otherwise make the server buffer
/// answers without bound. Reading resumes once the socket takes writes again; a client that
/// never reads sends nothing more we read, so the idle timeout closes it.
final class TCPReadGate: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// A read was asked for while the channel was not writable: issue it when it is again.
    private var readHeld = false

    func read(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            context.read()
        } else {
            readHeld = true
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable && readHeld {
            readHeld = false
            context.read()
        }
        context.fireChannelWritabilityChanged()
    }
}

/// Open TCP connections across all loops, against the cap.
final class ConnectionCounter: Sendable {
    private let count = Atomic<Int>(0)
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    /// Counts a new connection; false when that goes over the cap.
    func open() -> Bool {
        count.add(1, ordering: .relaxed).newValue <= limit
    }

    func close() {
        count.subtract(1, ordering: .relaxed)
    }

    /// Connections open now (read when draining, not per query).
    var current: Int { count.load(ordering: .relaxed) }
}
