import ClusterModel
import ClusterZone
import DNSWire
import Foundation
import Logging
import NIOCore
import NIOPosix

/// The DNS side of ClusterDNS: builds snapshots from its sources, publishes them to the
/// listeners, and keeps both current until the task is cancelled.
public struct DNSServer: Sendable {
    public let configuration: ServerConfiguration
    public let logger: Logger

    public init(configuration: ServerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Serves until cancelled. `onListening` gets the bound address once queries are answered,
    /// and the forwarders (nil when forwarding is off), whose ``Forwarders/statistics()`` hold
    /// the forwarding and cache counters.
    public func run(onListening: @Sendable (HostPort, Forwarders?) -> Void = { _, _ in }) async throws {
        let sources = ZoneSources(
            zonesDirectory: configuration.zonesDirectory, manifests: configuration.manifests, logger: logger)
        do {
            _ = try sources.refresh()
        } catch {
            throw ServerError.configuration("cannot load --manifests: \(error)")
        }
        let forwarding = try configuration.forwarding.withoutLoops(listen: configuration.dns) { warning in
            logger.warning("\(warning)")
        }
        var serial = Self.serial(after: 0)
        var snapshot = try build(sources, serial: serial)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, configuration.threads))
        let listeners: Listeners
        let forwarders: Forwarders?
        let publisher: SnapshotPublisher
        do {
            forwarders = try await Forwarders.start(
                group: group, configuration: forwarding, maxUDPSize: configuration.udpSize, logger: logger)
            publisher = try SnapshotPublisher(
                group: group, snapshot: snapshot, udpSize: configuration.udpSize, forwarding: forwarders != nil)
            listeners = try await Listeners.bind(
                configuration.dns, group: group, publisher: publisher, forwarders: forwarders,
                configuration: configuration)
        } catch {
            // Shutting the group down closes whatever was bound; the start-up error is what to report.
            try? await group.shutdownGracefully()
            throw error
        }
        let bound = HostPort(host: configuration.dns.host, port: listeners.port)
        logger.info("serving DNS", metadata: [
            "dns.listen": "\(bound)", "dns.zone": "\(configuration.zone.zone)",
            "dns.names": "\(snapshot.nameCount)", "dns.serial": "\(snapshot.serial)",
            "dns.upstreams": "\(forwarding.upstreams.map(\.description).joined(separator: ","))",
        ])
        onListening(bound, forwarders)

        while !Task.isCancelled {
            do {
                try await Task.sleep(for: configuration.reloadInterval)
            } catch {
                break
            }
            do {
                guard try sources.refresh() else { continue }
                serial = Self.serial(after: serial)
                snapshot = try build(sources, serial: serial)
                await publisher.publish(snapshot)
                logger.info("snapshot published", metadata: [
                    "dns.names": "\(snapshot.nameCount)", "dns.serial": "\(snapshot.serial)",
                ])
            } catch {
                logger.error("reload failed, previous data keeps serving", metadata: ["error": "\(error)"])
            }
        }
        logger.info("shutting down")
        await listeners.close()
        if let forwarders {
            let statistics = await forwarders.statistics()
            logger.info("forwarding statistics", metadata: [
                "forward.queries": "\(statistics.queries)", "forward.cacheHits": "\(statistics.cacheHits)",
                "forward.cacheMisses": "\(statistics.cacheMisses)", "forward.servFails": "\(statistics.servFails)",
            ])
            await forwarders.close()
        }
        try await group.shutdownGracefully()
    }

    private func build(_ sources: ZoneSources, serial: UInt32) throws -> ZoneSnapshot {
        let snapshot = try SnapshotBuilder(configuration: configuration.zone)
            .build(state: sources.state, staticZones: sources.staticZones, serial: serial)
        for problem in snapshot.problems {
            logger.warning("not served: \(problem)")
        }
        return snapshot
    }

    /// Serials follow the clock (seconds) and always grow, even for two changes in a second.
    static func serial(after previous: UInt32) -> UInt32 {
        max(previous &+ 1, UInt32(truncatingIfNeeded: Int(Date().timeIntervalSince1970)))
    }
}
