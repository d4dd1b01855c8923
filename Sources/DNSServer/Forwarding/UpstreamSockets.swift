import NIOCore
import NIOPosix

/// The UDP sockets to the upstreams.
enum UpstreamUDP {
    /// A new socket for upstream number `index` on the forwarder's loop, on a port the kernel
    /// picks at random; its datagrams go to the forwarder.
    static func bind(to address: SocketAddress, upstream index: Int, forwarder: Forwarder) -> EventLoopFuture<any Channel> {
        let bound = NIOLoopBound(forwarder, eventLoop: forwarder.loop)
        return DatagramBootstrap(group: forwarder.loop)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65536))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        UpstreamUDPHandler(forwarder: bound.value, upstream: index))
                }
            }
            .bind(host: address.protocol == .inet6 ? "::" : "0.0.0.0", port: 0)
    }
}

/// Datagrams from one upstream's socket, handed to the loop's forwarder.
final class UpstreamUDPHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let forwarder: Forwarder
    private let upstream: Int

    init(forwarder: Forwarder, upstream: Int) {
        self.forwarder = forwarder
        self.upstream = upstream
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        forwarder.received(
            envelope.data, from: envelope.remoteAddress, upstream: upstream, socket: ObjectIdentifier(context.channel))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A failed read or an ICMP error on a datagram socket leaves it usable; the query it
        // concerned ends by its timeout.
    }
}

/// The TCP retry of a truncated answer (RFC 7766): one connection per query, 2-byte framing.
enum UpstreamTCP {
    static func connect(
        to address: SocketAddress, forwarder: Forwarder, id: UInt16, attempt: Int, timeout: TimeAmount
    ) -> EventLoopFuture<any Channel> {
        let bound = NIOLoopBound(forwarder, eventLoop: forwarder.loop)
        return ClientBootstrap(group: forwarder.loop)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        ByteToMessageHandler(TCPFrameDecoder()),
                        UpstreamTCPHandler(forwarder: bound.value, id: id, attempt: attempt),
                    ])
                }
            }
            .connect(to: address)
    }

    static func send(_ query: [UInt8], on channel: any Channel) {
        var buffer = channel.allocator.buffer(capacity: query.count + 2)
        buffer.writeInteger(UInt16(query.count))
        buffer.writeBytes(query)
        // A failed write closes the connection, which ends the attempt (channelInactive).
        channel.writeAndFlush(buffer, promise: nil)
    }
}

/// Reads the one framed answer of a TCP retry, then closes.
final class UpstreamTCPHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let forwarder: Forwarder
    private let id: UInt16
    private let attempt: Int

    init(forwarder: Forwarder, id: UInt16, attempt: Int) {
        self.forwarder = forwarder
        self.id = id
        self.attempt = attempt
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        forwarder.received(tcp: unwrapInboundIn(data), id: id, attempt: attempt)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        // After an answer the query is no longer pending and this does nothing.
        forwarder.tcpEnded(id: id, attempt: attempt)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A reset ends this attempt; channelInactive moves on to the next upstream.
        context.close(promise: nil)
    }
}
