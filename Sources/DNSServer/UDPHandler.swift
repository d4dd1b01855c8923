import ClusterZone
import NIOCore

/// The UDP hot path: synchronous, one response buffer per datagram written straight by the
/// responder, flushed once per batch of reads.
final class UDPHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let responder: Responder
    private let capacity: Int

    init(responder: Responder) {
        self.responder = responder
        self.capacity = max(responder.maxUDPSize, 1024)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        var response = context.channel.allocator.buffer(capacity: capacity)
        let written = envelope.data.withUnsafeReadableBytes { query in
            response.writeWithUnsafeMutableBytes(minimumWritableBytes: capacity) { out in
                responder.respond(to: query, over: .udp, into: out)
            }
        }
        guard written > 0 else { return }
        context.write(
            wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: response)),
            promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A datagram socket stays open after a failed read or write: one bad peer must not
        // stop the others from being answered.
    }
}
