import ClusterModel
import ClusterZone
import Logging
import NIOCore
import NIOPosix

/// One ``Forwarder`` per event loop, with its upstream sockets bound on that loop.
public final class Forwarders: Sendable {
    private let forwarders: [ObjectIdentifier: NIOLoopBound<Forwarder>]

    private init(_ forwarders: [ObjectIdentifier: NIOLoopBound<Forwarder>]) {
        self.forwarders = forwarders
    }

    /// Binds the upstream sockets of every loop of `group`; nil when forwarding is off.
    static func start(
        group: any EventLoopGroup, configuration: ForwardingConfiguration, maxUDPSize: Int, counters: LoopCounters,
        queryLog: QueryLog?, logger: Logger, autopath: AutopathStatistics = AutopathStatistics()
    ) async throws -> Forwarders? {
        guard configuration.isEnabled else { return nil }
        let addresses = try configuration.upstreams.map { try $0.socketAddress() }
        let inFlight = InFlightLimit(limit: configuration.maxInFlight)
        var forwarders: [ObjectIdentifier: NIOLoopBound<Forwarder>] = [:]
        for loop in group.makeIterator() {
            let bound = try await loop.submit {
                NIOLoopBound(
                    try Forwarder(
                        loop: loop, upstreams: addresses, configuration: configuration, maxUDPSize: maxUDPSize,
                        inFlight: inFlight, counters: counters.counters(for: loop), queryLog: queryLog, logger: logger,
                        autopath: autopath),
                    eventLoop: loop)
            }.get()
            forwarders[ObjectIdentifier(loop)] = bound
            for (index, address) in addresses.enumerated() {
                try await bindSocket(
                    on: loop, to: address, named: configuration.upstreams[index], forwarder: bound, upstream: index)
            }
        }
        return Forwarders(forwarders)
    }

    /// The UDP socket of one upstream on one loop, handed to that loop's forwarder.
    private static func bindSocket(
        on loop: any EventLoop, to address: SocketAddress, named upstream: HostPort,
        forwarder bound: NIOLoopBound<Forwarder>, upstream index: Int
    ) async throws(ServerError) {
        do {
            let socket = try await loop.flatSubmit {
                UpstreamUDP.bind(to: address, upstream: index, forwarder: bound.value)
            }.get()
            try await loop.submit { bound.value.attach(socket, upstream: index) }.get()
        } catch {
            throw ServerError.configuration("cannot open a socket to --upstream \(upstream): \(error)")
        }
    }

    /// The forwarder of `loop`; call on that loop.
    func forwarder(for loop: any EventLoop) -> Forwarder? {
        forwarders[ObjectIdentifier(loop)]?.value
    }

    /// The counters of every loop added up.
    public func statistics() async -> ForwardingStatistics {
        var total = ForwardingStatistics()
        for bound in forwarders.values {
            // A loop that is shutting down has nothing more to count.
            if let one = try? await bound.eventLoop.submit({ bound.value.currentStatistics }).get() {
                total = total + one
            }
        }
        return total
    }

    /// Closes the upstream sockets of every loop.
    func close() async {
        for bound in forwarders.values {
            // A loop that is already shutting down closes its sockets itself.
            try? await bound.eventLoop.submit { bound.value.close() }.get()
        }
    }
}
