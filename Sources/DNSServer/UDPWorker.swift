import CDatagram
import ClusterZone
import Foundation
import Glibc
import Logging
import NIOCore
import Synchronization

/// The UDP hot path: one thread and one socket, answering in batches. A recvmmsg takes up to
/// ``Listeners/batch`` queries, the responder writes each answer into a buffer of its own, one
/// sendmmsg sends them all; nothing is allocated, locked or logged per packet. What the
/// responder cannot finish alone goes to the forwarder of the worker's event loop.
///
/// NIO's datagram channel cost a sixth of the server's CPU at saturation (perf: reference
/// counting, a buffer and an envelope per datagram, the pipeline), more than the lookups.
///
/// `@unchecked Sendable`: after ``start(name:)`` the thread alone touches the responder, the
/// batch, the errors it logged and the counters' writing side; other threads only call
/// ``stop()``, through atomics and the eventfd.
final class UDPWorker: @unchecked Sendable {
    let socket: DatagramSocket
    private let wakeup: Wakeup
    private let responder: LoopResponder
    private let forwarding: (loop: any EventLoop, forwarders: Forwarders)?
    private let counters: QueryCounters
    private let queryLog: QueryLog?
    private let logger: Logger
    private let batch: DatagramBatch
    private let stopping = Atomic<Bool>(false)
    private let running = Atomic<Bool>(false)
    /// Socket errors logged already (the worker's thread only).
    private var reported: Set<ReportedError> = []

    init(
        socket: DatagramSocket, publisher: SnapshotPublisher, loop: any EventLoop, forwarders: Forwarders?,
        counters: QueryCounters, queryLog: QueryLog?, logger: Logger
    ) throws {
        let wakeup = try Wakeup()
        self.wakeup = wakeup
        self.socket = socket
        responder = try publisher.workerResponder { wakeup.signal() }
        forwarding = forwarders.map { (loop, $0) }
        self.counters = counters
        self.queryLog = queryLog
        self.logger = logger
        batch = DatagramBatch(
            count: Listeners.batch, querySize: 2048, answerSize: max(responder.current.maxUDPSize, 1024))
    }

    deinit {
        batch.deallocate()
    }

    func start(name: String) {
        running.store(true, ordering: .releasing)
        let thread = Thread { [self] in
            run()
            running.store(false, ordering: .releasing)
        }
        thread.name = name
        thread.start()
    }

    /// Stops the thread after the batch in hand is answered, then closes the socket.
    func stop() async {
        stopping.store(true, ordering: .releasing)
        wakeup.signal()
        while running.load(ordering: .acquiring) {
            try? await Task.sleep(for: .milliseconds(1))
        }
        socket.close()
        wakeup.close()
    }

    private func run() {
        while !stopping.load(ordering: .acquiring) {
            batch.prepareToReceive()
            let count = cdns_recvmmsg(socket.descriptor, batch.received, UInt32(batch.count), Int32(MSG_DONTWAIT))
            if count > 0 {
                answer(Int(count))
                continue
            }
            guard count < 0 else { continue }
            switch errno {
            case EAGAIN, EWOULDBLOCK: waitForQueries()
            case EINTR: continue
            case let code:
                report(code, .recvmmsg)
                // A socket that is gone stays gone; anything else may pass (ENOMEM).
                if code == EBADF || code == ENOTSOCK { return }
                waitForQueries()
            }
        }
    }

    /// Sleeps until a query arrives or the wakeup is signalled; switches to the newest
    /// snapshot on waking, so an idle worker does not hold an old one.
    private func waitForQueries() {
        let woken = withUnsafeTemporaryAllocation(of: pollfd.self, capacity: 2) { descriptors in
            descriptors[0] = pollfd(fd: socket.descriptor, events: Int16(POLLIN), revents: 0)
            descriptors[1] = pollfd(fd: wakeup.descriptor, events: Int16(POLLIN), revents: 0)
            return poll(descriptors.baseAddress, 2, -1) > 0 && descriptors[1].revents != 0
        }
        if woken {
            wakeup.consume()
            _ = responder.current
        }
    }

    private func answer(_ count: Int) {
        let responder = self.responder.current
        let started = NIODeadline.now().uptimeNanoseconds
        var replies = 0
        for slot in 0..<count {
            let answer = batch.answer(slot)
            let result = responder.respond(
                to: batch.query(slot), over: .udp, into: answer, from: ClientAddress.of(batch.sender(slot)))
            let length: Int
            switch result {
            case .reply(let written):
                length = written
            case .silent:
                continue
            case .forward(let query):
                counters.forwarded(.udp, type: query.type)
                forward(slot, started: started) { $0.forward($1, query: query, reply: $2, received: $3) }
                continue
            case .chase(let chase):
                if forwarding != nil {
                    counters.forwarded(.udp, type: chase.query.type)
                    let fallback = Array(batch.answer(slot, length: chase.fallbackLength))
                    forward(slot, started: started) { $0.chase($1, chase, fallback: fallback, reply: $2, received: $3) }
                    continue
                }
                // No upstream to finish it: the fallback is a complete answer.
                length = chase.fallbackLength
            }
            batch.queue(slot, length: length, at: replies)
            replies += 1
        }
        guard replies > 0 else { return }
        let elapsed = NIODeadline.now().uptimeNanoseconds &- started
        for position in 0..<replies {
            let vector = batch.outgoing[position].msg_hdr.msg_iov.pointee
            let bytes = UnsafeRawBufferPointer(start: vector.iov_base, count: vector.iov_len)
            counters.answered(
                .udp, type: ResponseFields.questionType(bytes), rcode: ResponseFields.rcode(bytes), nanoseconds: elapsed)
            if let queryLog {
                let sender = batch.outgoing[position].msg_hdr.msg_name.assumingMemoryBound(to: sockaddr_storage.self)
                queryLog.record(
                    client: SocketAddress(storage: sender.pointee), transport: .udp, response: bytes, nanoseconds: elapsed)
            }
        }
        send(replies)
    }

    /// Sends the queued answers; one that fails (its destination unreachable, say) is skipped,
    /// the others still go.
    private func send(_ count: Int) {
        var first = 0
        while first < count {
            let sent = cdns_sendmmsg(socket.descriptor, batch.outgoing + first, UInt32(count - first), 0)
            if sent > 0 {
                first += Int(sent)
            } else if errno != EINTR {
                report(errno, .sendmmsg)
                first += 1
            }
        }
    }

    /// Hands `slot`'s query to the forwarder on the worker's event loop, with a copy of the
    /// packet and the address to answer.
    private func forward(
        _ slot: Int, started: UInt64,
        _ body: @escaping @Sendable (Forwarder, ByteBuffer, ClientReply, UInt64) -> Void
    ) {
        guard let (loop, forwarders) = forwarding, let address = SocketAddress(storage: batch.sender(slot).pointee)
        else { return }
        let packet = ByteBuffer(bytes: batch.query(slot))
        let reply = ClientReply.udp(socket, address)
        loop.execute {
            guard let forwarder = forwarders.forwarder(for: loop) else { return }
            body(forwarder, packet, reply, started)
        }
    }

    /// Logs a socket error once per call, errno and worker: one bad peer must not flood the
    /// log, and the socket keeps serving the others. Checked by number first, so an error that
    /// repeats for every packet costs no string.
    private func report(_ code: Int32, _ call: SocketCall) {
        guard reported.insert(ReportedError(call: call, code: code)).inserted else { return }
        logger.warning("UDP socket error, still serving (logged once)", metadata: [
            "error": "\(call.rawValue): \(String(cString: strerror(code)))", "dns.listen.port": "\(socket.port)",
        ])
    }
}

private enum SocketCall: String {
    case recvmmsg, sendmmsg
}

/// A socket call and its errno, as ``UDPWorker`` logs them once.
private struct ReportedError: Hashable {
    let call: SocketCall
    let code: Int32
}
