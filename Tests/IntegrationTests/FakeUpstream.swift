import DNSWire
import NIOCore
import NIOPosix
import Synchronization

/// A tiny upstream resolver the tests control: UDP and TCP on one 127.0.0.1 port, answering
/// from a table, able to go silent, to truncate over UDP, and counting what it was asked.
final class FakeUpstream: Sendable {
    /// What the upstream answers for one name (any type).
    struct Answer: Sendable {
        var rcode: UInt8 = 0
        var answer: [Record] = []
        var authority: [Record] = []
        /// Over UDP: TC=1 and no records, so the asker must come back over TCP.
        var truncateOverUDP = false
        /// Over TCP: no answer (the connection stays open).
        var silentOverTCP = false
        /// Over UDP, first a forged answer (address 6.6.6.6) that the asker must throw away.
        var forgery: Forgery?
        /// With a forgery: whether the genuine answer follows it.
        var genuineAfterForgery = true
        /// Over UDP, the first query of the name comes back as it was sent (no QR bit), as dig
        /// gets its own query when the kernel gave it the server's port (see ``Dig/query``).
        var echoFirstOverUDP = false
    }

    enum Forgery: Sendable {
        /// Another query ID.
        case wrongID
        /// The right ID, another question.
        case wrongQuestion
        /// The right ID and question, from another port of this host.
        case otherPort
    }

    struct State {
        var answers: [String: Answer] = [:]
        var silent = false
        var udpQueries: [String: Int] = [:]
        var tcpQueries: [String: Int] = [:]
        /// Source ports UDP queries came from.
        var udpSourcePorts: Set<Int> = []
    }

    let state = Mutex(State())
    let port: Int
    private let group: MultiThreadedEventLoopGroup
    private let channels: [any Channel]
    /// Where forgeries from another port are sent from.
    let spoofer: any Channel

    /// Binds UDP on an ephemeral port, then TCP on the same one (retrying with a new port in
    /// the rare case that TCP port is taken).
    static func start() async throws -> FakeUpstream {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        for _ in 0..<20 {
            let holder = FakeUpstreamHolder()
            let udp = try await DatagramBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(FakeUDPHandler(holder: holder))
                    }
                }
                .bind(host: "127.0.0.1", port: 0).get()
            let port = udp.localAddress!.port!
            do {
                let tcp = try await ServerBootstrap(group: group)
                    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                    .childChannelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandlers([
                                ByteToMessageHandler(FakeFrameDecoder()), FakeTCPHandler(holder: holder),
                            ])
                        }
                    }
                    .bind(host: "127.0.0.1", port: port).get()
                let spoofer = try await DatagramBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
                let upstream = FakeUpstream(port: port, group: group, channels: [udp, tcp, spoofer], spoofer: spoofer)
                holder.upstream.withLock { $0 = upstream }
                return upstream
            } catch {
                try await udp.close()
            }
        }
        throw FakeUpstreamError.noPort
    }

    private init(port: Int, group: MultiThreadedEventLoopGroup, channels: [any Channel], spoofer: any Channel) {
        self.port = port
        self.group = group
        self.channels = channels
        self.spoofer = spoofer
    }

    var address: String { "127.0.0.1:\(port)" }

    func set(_ name: String, _ answer: Answer) {
        state.withLock { $0.answers[Self.key(name)] = answer }
    }

    func setSilent(_ silent: Bool) {
        state.withLock { $0.silent = silent }
    }

    var udpSourcePorts: Set<Int> { state.withLock { $0.udpSourcePorts } }

    func udpQueries(_ name: String) -> Int { state.withLock { $0.udpQueries[Self.key(name), default: 0] } }
    func tcpQueries(_ name: String) -> Int { state.withLock { $0.tcpQueries[Self.key(name), default: 0] } }

    /// Names are kept lower-case and absolute.
    static func key(_ name: String) -> String {
        let lower = name.lowercased()
        return lower.hasSuffix(".") ? lower : lower + "."
    }

    func stop() async throws {
        for channel in channels { try await channel.close() }
        try await group.shutdownGracefully()
    }

    /// The responses to `query` in order (none: silent), each marked when it must leave from
    /// the spoofing socket. Counts the query.
    func respond(to query: [UInt8], overTCP: Bool) -> [(message: [UInt8], spoofed: Bool)] {
        guard let parsed = Self.question(query) else { return [] }
        let (answer, silent, first) = state.withLock { state -> (Answer?, Bool, Bool) in
            if overTCP {
                state.tcpQueries[parsed.name, default: 0] += 1
            } else {
                state.udpQueries[parsed.name, default: 0] += 1
            }
            return (state.answers[parsed.name], state.silent, !overTCP && state.udpQueries[parsed.name] == 1)
        }
        guard !silent, !(overTCP && answer?.silentOverTCP == true) else { return [] }
        if first, answer?.echoFirstOverUDP == true { return [(query, false)] }
        let spec = answer ?? Answer(rcode: ResponseCode.refused)
        guard let genuine = Self.message(for: query, parsed, spec, truncate: spec.truncateOverUDP && !overTCP) else {
            return []
        }
        guard let forgery = spec.forgery, !overTCP else { return [(genuine, false)] }
        let forged = Self.forge(forgery, query: query, parsed)
        return [(forged, forgery == .otherPort)] + (spec.genuineAfterForgery ? [(genuine, false)] : [])
    }

    private static func forge(
        _ forgery: Forgery, query: [UInt8], _ parsed: (name: String, type: UInt16, questionEnd: Int, hasOPT: Bool)
    ) -> [UInt8] {
        let evil = Answer(answer: [Record(owner: try! DNSName(parsed.name), ttl: 300, data: .a([6, 6, 6, 6]))])
        var forged = message(for: query, parsed, evil, truncate: false) ?? []
        switch forgery {
        case .wrongID:
            forged[0] ^= 0x55
        case .wrongQuestion:
            // Same length, another name: the first letter changed.
            forged[13] = forged[13] == UInt8(ascii: "z") ? UInt8(ascii: "y") : UInt8(ascii: "z")
        case .otherPort:
            break
        }
        return forged
    }

    private static func message(
        for query: [UInt8], _ parsed: (name: String, type: UInt16, questionEnd: Int, hasOPT: Bool), _ spec: Answer,
        truncate: Bool
    ) -> [UInt8]? {
        // A question ldns cannot encode an answer for gets silence: the test then sees a timeout.
        guard let name = try? DNSName(parsed.name),
            var message = try? MessageEncoder.response(
                name: name, type: parsed.type, rcode: spec.rcode, authoritative: false,
                answer: truncate ? [] : spec.answer, authority: truncate ? [] : spec.authority)
        else { return nil }
        // The asker's ID, question spelling and RD; RA like a recursive resolver; TC if asked.
        message.replaceSubrange(0..<2, with: query[0..<2])
        message.replaceSubrange(12..<parsed.questionEnd, with: query[12..<parsed.questionEnd])
        message[2] |= query[2] & 0x01 | (truncate ? 0x02 : 0)
        message[3] |= 0x80
        if parsed.hasOPT, let opt = try? MessageEncoder.optRecord(udpSize: 4096) {
            // A real resolver answers an EDNS query with its own OPT: the server must strip it.
            message += opt
            message[11] += 1
        }
        return message
    }

    private static func question(_ query: [UInt8]) -> (name: String, type: UInt16, questionEnd: Int, hasOPT: Bool)? {
        guard query.count > 12, let nameEnd = WireName.skip(query, from: 12), nameEnd + 4 <= query.count else {
            return nil
        }
        var labels: [String] = []
        var index = 12
        while query[index] != 0 {
            let length = Int(query[index])
            labels.append(String(decoding: query[(index + 1)...(index + length)], as: UTF8.self))
            index += length + 1
        }
        let type = UInt16(query[nameEnd]) << 8 | UInt16(query[nameEnd + 1])
        let hasOPT = query[11] > 0
        return ((labels.joined(separator: ".") + ".").lowercased(), type, nameEnd + 4, hasOPT)
    }
}

enum FakeUpstreamError: Error {
    case noPort
}

/// Lets the handlers, made before the upstream object exists, reach it.
final class FakeUpstreamHolder: Sendable {
    let upstream = Mutex<FakeUpstream?>(nil)
}

final class FakeUDPHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>
    let holder: FakeUpstreamHolder

    init(holder: FakeUpstreamHolder) { self.holder = holder }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard let upstream = holder.upstream.withLock({ $0 }) else { return }
        if let port = envelope.remoteAddress.port {
            upstream.state.withLock { _ = $0.udpSourcePorts.insert(port) }
        }
        for (response, spoofed) in upstream.respond(to: Array(envelope.data.readableBytesView), overTCP: false) {
            let out = AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: context.channel.allocator.buffer(bytes: response))
            if spoofed {
                upstream.spoofer.writeAndFlush(out, promise: nil)
            } else {
                context.writeAndFlush(wrapOutboundOut(out), promise: nil)
            }
        }
    }
}

struct FakeFrameDecoder: ByteToMessageDecoder {
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

final class FakeTCPHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let holder: FakeUpstreamHolder

    init(holder: FakeUpstreamHolder) { self.holder = holder }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let query = unwrapInboundIn(data)
        let upstream = holder.upstream.withLock { $0 }
        guard let response = upstream?.respond(to: Array(query.readableBytesView), overTCP: true).first?.message else {
            return
        }
        var out = context.channel.allocator.buffer(capacity: response.count + 2)
        out.writeInteger(UInt16(response.count))
        out.writeBytes(response)
        context.writeAndFlush(wrapOutboundOut(out), promise: nil)
    }
}
