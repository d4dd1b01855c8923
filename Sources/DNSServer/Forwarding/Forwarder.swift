import ClusterZone
import DNSWire
import Logging
import NIOCore
import NIOPosix

/// Forwards the queries of one event loop to the upstream resolvers and caches the answers.
///
/// Loop-confined: every method runs on `loop` (the listeners' handlers, the upstream sockets'
/// handlers and the timers all live there), so it holds plain state with no lock and no actor.
/// Each upstream gets one UDP socket of this loop, replaced by a new one (a new random port)
/// every `queriesPerSocket` queries; a truncated answer is asked again over TCP from the same
/// loop.
final class Forwarder {
    let loop: any EventLoop
    let cache: AnswerCache
    private(set) var statistics = ForwardingStatistics()

    private let upstreams: [SocketAddress]
    private let timeout: TimeAmount
    let maxUDPSize: Int
    private let maxTTL: UInt32
    let opt: [UInt8]
    private let inFlight: InFlightLimit
    let logger: Logger
    /// This loop's query counters: forwarded responses are counted when they are sent.
    private let counters: QueryCounters
    private let queryLog: QueryLog?
    private var health: UpstreamHealth
    private var sockets: [(any Channel)?]
    private var socketUses: [Int]
    private var rebinding: [Bool]
    private let queriesPerSocket: Int
    private var isClosed = false
    private var pending: [UInt16: PendingQuery] = [:]
    /// The waiting query of each question, so that identical questions share one upstream query.
    private var pendingByKey: [AnswerCache.Key: UInt16] = [:]
    /// Clients that may join one waiting query; more of the same question get REFUSED.
    static let maxJoined = 256
    private var random = SystemRandomNumberGenerator()
    let autopath: AutopathStatistics

    init(
        loop: any EventLoop, upstreams: [SocketAddress], configuration: ForwardingConfiguration,
        maxUDPSize: Int, inFlight: InFlightLimit, counters: QueryCounters, queryLog: QueryLog?, logger: Logger,
        autopath: AutopathStatistics = AutopathStatistics()
    ) throws {
        self.logger = logger
        self.autopath = autopath
        self.counters = counters
        self.queryLog = queryLog
        self.loop = loop
        self.upstreams = upstreams
        self.timeout = .nanoseconds(Int64(configuration.timeout.components.seconds) * 1_000_000_000
            + configuration.timeout.components.attoseconds / 1_000_000_000)
        self.maxUDPSize = maxUDPSize
        self.maxTTL = configuration.maxCacheTTL
        self.opt = try MessageEncoder.optRecord(udpSize: UInt16(clamping: maxUDPSize))
        self.inFlight = inFlight
        self.cache = AnswerCache(capacity: configuration.cacheSize)
        self.health = UpstreamHealth(count: upstreams.count)
        self.sockets = Array(repeating: nil, count: upstreams.count)
        self.socketUses = Array(repeating: 0, count: upstreams.count)
        self.rebinding = Array(repeating: false, count: upstreams.count)
        self.queriesPerSocket = configuration.queriesPerSocket
    }

    /// The counters of this loop, the cache's included.
    var currentStatistics: ForwardingStatistics {
        var result = statistics
        result.cacheHits = cache.hits
        result.cacheMisses = cache.misses
        result.cacheEntries = cache.count
        result.cacheEvictions = cache.evictions
        return result
    }

    func attach(_ socket: any Channel, upstream: Int) {
        sockets[upstream] = socket
    }

    /// Answers `packet` (which the responder handed over as `query`) from the cache, or sends
    /// it upstream and answers when the upstream does.
    /// `received` is when the query arrived (``NIODeadline`` uptime nanoseconds).
    func forward(_ packet: ByteBuffer, query: Query, reply: ClientReply, received: UInt64) {
        guard query.hasQuestion, packet.readableBytes >= query.questionEnd else { return }
        let question = Array(packet.readableBytesView.dropFirst(12).prefix(query.questionEnd - 12))
        let client = ClientQuery(
            id: query.id, flags: query.flags, edns: query.edns, question: question, reply: reply, received: received)
        submit(client, name: Self.lowercased(question.prefix(query.nameLength)), query: query)
    }

    /// The cache, a waiting identical question, or a new upstream query, for `client`.
    func submit(_ client: ClientQuery, name: [UInt8], query: Query) {
        let dnssec: UInt8 = (query.edns?.dnssecOK == true ? 1 : 0) | (query.flags & 0x0010 != 0 ? 2 : 0)
        let key = AnswerCache.Key(name: name, type: query.type, qclass: query.qclass, dnssec: dnssec)
        statistics.queries += 1
        let now = NIODeadline.now()
        if let hit = cache.lookup(key, now: now) {
            send(hit.answer, age: hit.age, to: client)
            return
        }
        if let id = pendingByKey[key], pending[id] != nil {
            // The same question is already on its way (a burst after an entry expired, or many
            // pods asking at once): the answer goes to every asker.
            guard pending[id]!.joined.count < Self.maxJoined else {
                statistics.refusedOverCap += 1
                sendError(UInt16(ResponseCode.refused), to: client)
                return
            }
            pending[id]!.joined.append(client)
            statistics.joined += 1
            return
        }
        guard inFlight.acquire() else {
            statistics.refusedOverCap += 1
            sendError(UInt16(ResponseCode.refused), to: client)
            return
        }
        var id = UInt16.random(in: .min ... .max, using: &random)
        while pending[id] != nil { id = UInt16.random(in: .min ... .max, using: &random) }
        pending[id] = PendingQuery(
            client: client, key: key, sent: ForwardMessages.upstreamQuery(id: id, client: client, opt: opt),
            order: health.order(now: now))
        pendingByKey[key] = id
        ask(id)
    }

    /// A datagram on a socket of `upstream`. Anti-spoofing: it must come from that upstream's
    /// address and port, to the socket the query left from, carry the ID of a query now
    /// waiting on that upstream, and answer the question we asked.
    func received(_ datagram: ByteBuffer, from source: SocketAddress, upstream: Int, socket: ObjectIdentifier) {
        let bytes = Array(datagram.readableBytesView)
        let id = bytes.count >= 12 ? UInt16(bytes[0]) << 8 | UInt16(bytes[1]) : 0
        guard bytes.count >= 12, source == upstreams[upstream],
            let entry = pending[id], !entry.overTCP, entry.upstream == upstream, entry.socket == socket,
            let answer = UpstreamAnswer(
                bytes, answering: entry.sent, sentQuestionEnd: entry.sentQuestionEnd, maxTTL: maxTTL)
        else {
            statistics.rejectedResponses += 1
            return
        }
        if answer.truncated {
            retryOverTCP(id)
        } else {
            succeeded(upstream)
            finish(id, answer)
        }
    }

    /// A framed answer on the TCP connection of attempt `attempt` of query `id`.
    func received(tcp message: ByteBuffer, id: UInt16, attempt: Int) {
        guard let entry = pending[id], entry.attempt == attempt,
            let answer = UpstreamAnswer(
                Array(message.readableBytesView), answering: entry.sent, sentQuestionEnd: entry.sentQuestionEnd,
                maxTTL: maxTTL)
        else {
            statistics.rejectedResponses += 1
            return
        }
        succeeded(entry.upstream)
        finish(id, answer)
    }

    /// The TCP connection of that attempt closed or failed before an answer: next upstream.
    func tcpEnded(id: UInt16, attempt: Int) {
        guard pending[id]?.attempt == attempt else { return }
        failAttempt(id)
    }

    /// Closes the upstream sockets and answers nothing more; call on shutdown.
    func close() {
        isClosed = true
        for socket in sockets {
            // Closing a socket that already failed has nothing left to release.
            socket?.close(promise: nil)
        }
        let waiting = pending.values
        pending = [:]
        pendingByKey = [:]
        for entry in waiting {
            entry.timer?.cancel()
            inFlight.release()
            // Forgotten above, so the connection's channelInactive finds nothing to fail over.
            entry.tcp?.close(promise: nil)
        }
    }

    private func ask(_ id: UInt16) {
        guard var entry = pending[id] else { return }
        entry.timer = schedule(id, attempt: entry.attempt)
        entry.overTCP = false
        pending[id] = entry
        statistics.upstreamQueries += 1
        let upstream = entry.upstream
        guard let socket = sockets[upstream] else { return }
        pending[id]?.socket = ObjectIdentifier(socket)
        let envelope = AddressedEnvelope(remoteAddress: upstreams[upstream], data: socket.allocator.buffer(bytes: entry.sent))
        // A send that fails (no route) shows up as the timeout of this attempt.
        socket.writeAndFlush(envelope, promise: nil)
        socketUses[upstream] += 1
        if socketUses[upstream] >= queriesPerSocket { replaceSocket(upstream) }
    }

    /// Moves `upstream` to a new socket. The old one stays open one timeout longer for the
    /// answers still on their way to it.
    private func replaceSocket(_ upstream: Int) {
        guard !rebinding[upstream], !isClosed else { return }
        rebinding[upstream] = true
        UpstreamUDP.bind(to: upstreams[upstream], upstream: upstream, forwarder: self)
            .assumeIsolated()
            .whenComplete { [self] result in
                rebinding[upstream] = false
                socketUses[upstream] = 0
                switch result {
                case .success(let socket):
                    guard !isClosed else {
                        // Shut down while binding: the new socket is not needed.
                        socket.close(promise: nil)
                        return
                    }
                    let old = sockets[upstream]
                    sockets[upstream] = socket
                    loop.assumeIsolated().scheduleTask(in: timeout + .seconds(1)) {
                        // Already closed if the server shut down meanwhile.
                        old?.close(promise: nil)
                    }
                case .failure(let error):
                    logger.warning("cannot open a new socket to an upstream, keeping the old port", metadata: [
                        "forward.upstream": "\(upstreams[upstream])", "error": "\(error)",
                    ])
                }
            }
    }

    private func schedule(_ id: UInt16, attempt: Int) -> Scheduled<Void> {
        loop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            guard pending[id]?.attempt == attempt else { return }
            failAttempt(id)
        }
    }

    /// The current upstream failed: hold it down and try the next, or SERVFAIL after the last.
    private func failAttempt(_ id: UInt16) {
        guard var entry = pending[id] else { return }
        entry.timer?.cancel()
        let failed = entry.upstream
        let connection = entry.tcp
        entry.tcp = nil
        entry.attempt += 1
        pending[id] = entry
        // The failed attempt's connection is of no more use (it may be closed already). Closed
        // only now, so that its channelInactive finds the query moved on and does nothing.
        connection?.close(promise: nil)
        statistics.upstreamFailures += 1
        if health.failed(failed, now: .now()) {
            // Once per outage, not per query: a dead upstream must not flood the log.
            logger.warning("upstream not answering, asking the others first", metadata: [
                "forward.upstream": "\(upstreams[failed])", "forward.timeout": "\(timeout)",
            ])
        }
        if entry.attempt < entry.order.count {
            ask(id)
        } else {
            remove(id, entry)
            statistics.servFails += 1
            for client in entry.clients {
                sendError(UInt16(ResponseCode.servFail), to: client)
            }
        }
    }

    private func retryOverTCP(_ id: UInt16) {
        guard var entry = pending[id] else { return }
        statistics.tcpRetries += 1
        entry.timer?.cancel()
        entry.timer = schedule(id, attempt: entry.attempt)
        entry.overTCP = true
        pending[id] = entry
        let attempt = entry.attempt
        let query = entry.sent
        UpstreamTCP.connect(to: upstreams[entry.upstream], forwarder: self, id: id, attempt: attempt, timeout: timeout)
            .assumeIsolated()
            .whenComplete { [self] result in
                switch result {
                case .success(let channel):
                    guard pending[id]?.attempt == attempt else {
                        // The attempt timed out while connecting: the connection is not needed.
                        channel.close(promise: nil)
                        return
                    }
                    pending[id]?.tcp = channel
                    UpstreamTCP.send(query, on: channel)
                case .failure:
                    tcpEnded(id: id, attempt: attempt)
                }
            }
    }

    private func finish(_ id: UInt16, _ answer: UpstreamAnswer) {
        guard let entry = pending[id] else { return }
        entry.timer?.cancel()
        // Forgotten first: closing the connection runs its channelInactive, which must find
        // nothing left to fail over.
        remove(id, entry)
        entry.tcp?.close(promise: nil)
        statistics.answered += 1
        counters.upstreamAnswered(nanoseconds: UInt64(max(0, (NIODeadline.now() - entry.started).nanoseconds)))
        if let ttl = answer.cacheTTL {
            cache.insert(entry.key, answer: answer, ttl: ttl, now: .now())
        }
        for client in entry.clients {
            send(answer, age: 0, to: client)
        }
    }

    /// Sends a response to a client and counts it (rcode, time since the query arrived).
    func deliver(_ message: [UInt8], to client: ClientQuery) {
        let elapsed = NIODeadline.now().uptimeNanoseconds &- client.received
        counters.responded(rcode: message.count >= 4 ? Int(message[3] & 0x0F) : 0, nanoseconds: elapsed)
        queryLog?.record(client: client.reply.address, transport: client.reply.transport, response: message, nanoseconds: elapsed)
        client.reply.send(message)
    }

    /// Forgets a query that got its answer or failed, and frees its in-flight slot.
    private func remove(_ id: UInt16, _ entry: PendingQuery) {
        pending[id] = nil
        if pendingByKey[entry.key] == id { pendingByKey[entry.key] = nil }
        inFlight.release()
    }

    private func succeeded(_ upstream: Int) {
        if health.succeeded(upstream) {
            logger.notice("upstream answers again", metadata: ["forward.upstream": "\(upstreams[upstream])"])
        }
    }

    private static func lowercased(_ name: ArraySlice<UInt8>) -> [UInt8] {
        // Length octets are below 64 and never in A-Z, so the whole wire name can be mapped.
        name.map { $0 &+ (($0 &- 0x41) < 26 ? 0x20 : 0) }
    }
}
