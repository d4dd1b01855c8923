import ClusterModel
import ClusterZone
import Logging
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The bound sockets: one UDP socket per worker thread on the same port (SO_REUSEPORT, so the
/// kernel spreads datagrams over the workers) and one TCP listener on the event loops.
struct Listeners: Sendable {
    let udp: [UDPWorker]
    let tcp: any Channel
    let connections: ConnectionCounter

    /// The port actually bound (differs from the configured one when that was 0).
    var port: Int { udp.first?.socket.port ?? 0 }

    static let batch = 32

    static func bind(
        _ address: HostPort, group: MultiThreadedEventLoopGroup, publisher: SnapshotPublisher,
        forwarders: Forwarders?, counters: LoopCounters, queryLog: QueryLog?, configuration: ServerConfiguration,
        logger: Logger
    ) async throws -> Listeners {
        // With port 0 the first UDP socket picks the port and TCP must take the same number,
        // which any TCP socket on the machine may hold already (a client's ephemeral port):
        // then try again with another port instead of failing to start.
        var attempt = 1
        while true {
            do {
                return try await bindOnce(
                    address, group: group, publisher: publisher, forwarders: forwarders, counters: counters,
                    queryLog: queryLog, configuration: configuration, logger: logger)
            } catch let error as IOError where address.port == 0 && error.errnoCode == EADDRINUSE && attempt < 10 {
                attempt += 1
                logger.debug("the port picked for --dns \(address.host):0 is taken for TCP, picking another")
            } catch {
                throw ServerError.bind(flag: "--dns", address: address, reason: Self.reason(error))
            }
        }
    }

    /// Binds every socket once and starts the UDP workers (one per event loop, whose forwarder
    /// finishes what they cannot answer); on failure stops what it started and throws the
    /// socket error.
    private static func bindOnce(
        _ address: HostPort, group: MultiThreadedEventLoopGroup, publisher: SnapshotPublisher,
        forwarders: Forwarders?, counters: LoopCounters, queryLog: QueryLog?, configuration: ServerConfiguration,
        logger: Logger
    ) async throws -> Listeners {
        // Port 0: the first UDP socket picks one no socket holds, the others and TCP take it.
        var port = address.port
        var udp: [UDPWorker] = []
        do {
            for (index, loop) in group.makeIterator().enumerated() {
                let socket = try DatagramSocket(
                    binding: try SocketAddress.makeAddressResolvingHost(address.host, port: port),
                    receiveBuffer: 4 << 20)
                port = socket.port
                let worker: UDPWorker
                do {
                    worker = try UDPWorker(
                        socket: socket, publisher: publisher, loop: loop, forwarders: forwarders,
                        counters: counters.workers[index], queryLog: queryLog, logger: logger)
                } catch {
                    socket.close()
                    throw error
                }
                worker.start(name: "udp-worker-\(index)")
                udp.append(worker)
            }
            let connections = ConnectionCounter(limit: configuration.tcpMaxConnections)
            // Whole seconds and the fraction: a sub-second timeout must not become 0 (never idle).
            let (seconds, attoseconds) = configuration.tcpIdleTimeout.components
            let idle = TimeAmount.nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
            let tcp = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelOption(.backlog, value: 256)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let responder = publisher.responder(for: channel.eventLoop)
                        let forwarder = forwarders?.forwarder(for: channel.eventLoop)
                        try channel.pipeline.syncOperations.addHandlers([
                            TCPReadGate(),
                            IdleStateHandler(readTimeout: idle),
                            ByteToMessageHandler(TCPFrameDecoder()),
                            TCPQueryHandler(
                                responder: responder, forwarder: forwarder, connections: connections,
                                counters: counters.counters(for: channel.eventLoop), queryLog: queryLog, logger: logger),
                        ])
                    }
                }
                .bind(host: address.host, port: port).get()
            return Listeners(udp: udp, tcp: tcp, connections: connections)
        } catch {
            for worker in udp { await worker.stop() }
            throw error
        }
    }

    func close() async {
        for worker in udp { await worker.stop() }
        // Already closed by a failing socket: nothing left to release.
        try? await tcp.close()
    }

    /// Stops accepting (stops the UDP workers, closes their sockets and the TCP listener), then
    /// gives open TCP connections up to `timeout` to finish and close; those still open are
    /// closed with the event loops. Every query read before this point has been answered
    /// already: a worker answers its whole batch before it looks whether to stop.
    func drain(timeout: Duration) async {
        await close()
        let deadline = ContinuousClock.now + timeout
        while connections.current > 0 && ContinuousClock.now < deadline {
            do {
                try await Task.sleep(for: .milliseconds(10))
            } catch {
                return
            }
        }
    }

    private static func reason(_ error: any Error) -> String {
        if let io = error as? IOError {
            return String(cString: strerror(io.errnoCode))
        }
        return "\(error)"
    }
}
