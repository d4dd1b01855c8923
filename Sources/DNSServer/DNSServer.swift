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
    /// Autopath's counters across every event loop (hits, upstream hits, misses), for metrics.
    public let autopathStatistics = AutopathStatistics()

    public init(configuration: ServerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Serves until cancelled. Cluster objects come from `--manifests`, or from `feed` (the
    /// watch feed) when given: until its first state arrives, would-be NXDOMAIN cluster names
    /// get SERVFAIL. `onListening` gets the bound address once queries are answered, and the
    /// forwarders (nil when forwarding is off), whose ``Forwarders/statistics()`` hold the
    /// forwarding and cache counters.
    public func run(
        feed: AsyncStream<ClusterState>? = nil,
        onListening: @Sendable (HostPort, Forwarders?) -> Void = { _, _ in }
    ) async throws {
        let forwarding = try configuration.forwarding.withoutLoops(listen: configuration.dns) { warning in
            logger.warning("\(warning)")
        }
        // Bind first: a taken port fails fast, before any data is read or logged.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, configuration.threads))
        let listeners: Listeners
        let forwarders: Forwarders?
        let publisher: SnapshotPublisher
        do {
            forwarders = try await Forwarders.start(
                group: group, configuration: forwarding, maxUDPSize: configuration.udpSize, logger: logger,
                autopath: autopathStatistics)
            publisher = try SnapshotPublisher(
                group: group, snapshot: try ZoneSnapshot.unsynced(configuration: configuration.zone),
                udpSize: configuration.udpSize, forwarding: forwarders != nil, autopath: autopathStatistics)
            listeners = try await Listeners.bind(
                configuration.dns, group: group, publisher: publisher, forwarders: forwarders,
                configuration: configuration)
        } catch {
            // The start-up error is what the caller needs; a failed shutdown on the way out adds nothing.
            try? await group.shutdownGracefully()
            throw error
        }
        let sources = ZoneSources(
            zonesDirectory: configuration.zonesDirectory, manifests: configuration.manifests, logger: logger)
        let inputs = SnapshotInputs(synced: feed == nil)
        let firstSerial = Self.serial(after: 0)
        let snapshot: ZoneSnapshot
        do {
            do {
                _ = try await sources.refresh()
            } catch {
                throw ServerError.configuration("cannot load --manifests: \(error)")
            }
            let (initialState, initialZones) = (await sources.state, await sources.staticZones)
            inputs.update {
                $0.state = initialState
                $0.staticZones = initialZones
            }
            snapshot = try build(inputs.current, serial: firstSerial)
            await publisher.publish(snapshot)
        } catch {
            await listeners.close()
            // The start-up error is what the caller needs; a failed shutdown on the way out adds nothing.
            try? await group.shutdownGracefully()
            throw error
        }
        let bound = HostPort(host: configuration.dns.host, port: listeners.port)
        logger.info("serving DNS", metadata: [
            "dns.listen": "\(bound)", "dns.zone": "\(configuration.zone.zone)",
            "dns.names": "\(snapshot.nameCount)", "dns.serial": "\(snapshot.serial)",
            "dns.autopath": "\(configuration.zone.autopath ? "on, \(snapshot.autopathClientCount) pod addresses" : "off")",
            "dns.upstreams": "\(forwarding.upstreams.map(\.description).joined(separator: ","))",
        ])
        onListening(bound, forwarders)

        await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask { await Self.pollFiles(sources, into: inputs, every: configuration.reloadInterval, logger: logger) }
            if let feed {
                tasks.addTask {
                    for await state in feed {
                        inputs.update {
                            $0.state = state
                            $0.synced = true
                        }
                    }
                }
            }
            tasks.addTask {
                var serial = firstSerial
                for await _ in inputs.changes {
                    do {
                        serial = Self.serial(after: serial)
                        let snapshot = try build(inputs.current, serial: serial)
                        await publisher.publish(snapshot)
                        logger.debug("snapshot published", metadata: [
                            "dns.names": "\(snapshot.nameCount)", "dns.serial": "\(snapshot.serial)",
                        ])
                    } catch {
                        logger.error("snapshot not rebuilt, previous data keeps serving", metadata: ["error": "\(error)"])
                    }
                }
            }
            // Runs until the surrounding task is cancelled (SIGTERM, SIGINT).
            await Self.waitForCancellation()
            inputs.finish()
            tasks.cancelAll()
        }
        logger.info("shutting down", metadata: [
            "autopath.hits": "\(autopathStatistics.hits)", "autopath.hitsUpstream": "\(autopathStatistics.hitsUpstream)",
            "autopath.missed": "\(autopathStatistics.missed)",
        ])
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

    private static func pollFiles(_ sources: ZoneSources, into inputs: SnapshotInputs, every interval: Duration, logger: Logger) async {
        let manifests = sources.hasManifests
        while true {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            do {
                guard try await sources.refresh() else { continue }
                let (state, zones) = (await sources.state, await sources.staticZones)
                inputs.update {
                    $0.staticZones = zones
                    if manifests { $0.state = state }
                }
            } catch {
                logger.error("reload failed, previous data keeps serving", metadata: ["error": "\(error)"])
            }
        }
    }

    private static func waitForCancellation() async {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self)
        await withTaskCancellationHandler {
            for await _ in stream {}
        } onCancel: {
            continuation.finish()
        }
    }

    private func build(_ inputs: SnapshotInputs.Values, serial: UInt32) throws -> ZoneSnapshot {
        let snapshot = try SnapshotBuilder(configuration: configuration.zone)
            .build(state: inputs.state, staticZones: inputs.staticZones, serial: serial, synced: inputs.synced)
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
