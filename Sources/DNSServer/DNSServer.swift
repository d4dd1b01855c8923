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
    /// watch feed) when given: until its first state arrives, the snapshot saved at the last
    /// stop answers if ``ServerConfiguration/savedSnapshot`` says it is still current, and
    /// otherwise would-be NXDOMAIN cluster names get SERVFAIL. `status` tells readiness and holds
    /// the counters; `onListening` gets the bound address once queries are answered. On
    /// cancellation the last synced snapshot is saved (when configured and changed) while the
    /// listeners still answer, then they stop accepting, open TCP connections get
    /// ``ServerConfiguration/tcpDrainTimeout`` to finish, and the event loops stop: a lame-duck
    /// period, if any, is the caller's to hold before cancelling.
    public func run(
        feed: AsyncStream<FeedUpdate>? = nil, status: ServerStatus = ServerStatus(),
        onListening: @Sendable (HostPort) -> Void = { _ in }
    ) async throws {
        let forwarding = try configuration.forwarding.withoutLoops(listen: configuration.dns) { warning in
            logger.warning("\(warning)")
        }
        let queryLog = configuration.logQueries ? QueryLog(logger: logger) : nil
        // Bind first: a taken port fails fast, before any data is read or logged.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, configuration.threads))
        let listeners: Listeners
        let forwarders: Forwarders?
        let publisher: SnapshotPublisher
        let counters: LoopCounters
        do {
            counters = LoopCounters(group: group, workers: max(1, configuration.threads))
            forwarders = try await Forwarders.start(
                group: group, configuration: forwarding, maxUDPSize: configuration.udpSize, counters: counters,
                queryLog: queryLog, logger: logger, autopath: autopathStatistics)
            publisher = try SnapshotPublisher(
                group: group, snapshot: try ZoneSnapshot.unsynced(configuration: configuration.zone),
                udpSize: configuration.udpSize, forwarding: forwarders != nil, autopath: autopathStatistics)
            listeners = try await Listeners.bind(
                configuration.dns, group: group, publisher: publisher, forwarders: forwarders, counters: counters,
                queryLog: queryLog, configuration: configuration, logger: logger)
        } catch {
            // The start-up error is what the caller needs; a failed shutdown on the way out adds nothing.
            try? await group.shutdownGracefully()
            throw error
        }
        status.bound()
        let sources = ZoneSources(
            zonesDirectory: configuration.zonesDirectory, manifests: configuration.manifests, logger: logger)
        let inputs = SnapshotInputs(synced: feed == nil)
        let firstSerial = Self.serial(after: 0)
        var snapshot: ZoneSnapshot
        let pipeline: SnapshotPipeline
        do {
            pipeline = try SnapshotPipeline(
                configuration: configuration.zone, publisher: publisher, status: status, logger: logger)
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
            snapshot = try await pipeline.buildAndPublish(inputs.take(), serial: firstSerial)
            if feed != nil, let saved = configuration.savedSnapshot, let restored = await pipeline.restore(saved) {
                snapshot = restored
            }
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
            "dns.answerBytes": "\(snapshot.byteCount)",
            "dns.autopath": "\(configuration.zone.autopath ? "on, \(snapshot.autopathClientCount) pod addresses" : "off")",
            "dns.upstreams": "\(forwarding.upstreams.map(\.description).joined(separator: ","))",
        ])
        status.listening(counters: counters, forwarders: forwarders)
        onListening(bound)

        await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask { await Self.pollFiles(sources, into: inputs, every: configuration.reloadInterval, logger: logger) }
            if let feed {
                tasks.addTask {
                    for await update in feed {
                        inputs.update {
                            $0.delta.merge(update.delta)
                            if update.complete { $0.synced = true }
                            if !update.positions.isEmpty { $0.positions = update.positions }
                            if let expected = update.expectedServices { $0.expectedServices = expected }
                            if let received = update.changeReceived {
                                $0.changeReceived = min($0.changeReceived ?? received, received)
                            }
                        }
                    }
                }
            }
            tasks.addTask {
                var serial = firstSerial
                var lastNudge = ContinuousClock.now - .seconds(2)
                for await _ in inputs.changes {
                    do {
                        let next = Self.serial(after: serial)
                        let snapshot = try await pipeline.buildAndPublish(inputs.take(), serial: next)
                        // Taken only when the SOA carries it: the first list's parts, applied
                        // without a snapshot, and builds that keep the apex use none.
                        if snapshot.serial == next { serial = next }
                        if await pipeline.serialBehind, ContinuousClock.now - lastNudge >= .seconds(1) {
                            // One more (cheap) snapshot after the burst moves the serial on.
                            lastNudge = .now
                            Task {
                                try await Task.sleep(for: .seconds(1))
                                inputs.update { _ in }
                            }
                        }
                    } catch {
                        logger.error("snapshot not rebuilt, previous data keeps serving", metadata: ["error": "\(error)"])
                    }
                }
            }
            // Runs until the surrounding task is cancelled (after SIGTERM's lame duck, SIGINT).
            await Self.waitForCancellation()
            inputs.finish()
            tasks.cancelAll()
        }
        if let saved = configuration.savedSnapshot { await pipeline.save(saved) }
        await shutDown(listeners: listeners, forwarders: forwarders, group: group, status: status)
    }

    /// Stops accepting, drains TCP, stops forwarding and the loops. Runs in a task of its own:
    /// the caller's is cancelled, and the drain must still be able to wait.
    private func shutDown(
        listeners: Listeners, forwarders: Forwarders?, group: MultiThreadedEventLoopGroup, status: ServerStatus
    ) async {
        logger.info("shutting down: no new queries accepted, draining TCP", metadata: [
            "autopath.hits": "\(autopathStatistics.hits)", "autopath.hitsUpstream": "\(autopathStatistics.hitsUpstream)",
            "autopath.missed": "\(autopathStatistics.missed)",
        ])
        status.stopped()
        let drainTimeout = configuration.tcpDrainTimeout
        let logger = self.logger
        await Task {
            await listeners.drain(timeout: drainTimeout)
            if let forwarders {
                let statistics = await forwarders.statistics()
                logger.info("forwarding statistics", metadata: [
                    "forward.queries": "\(statistics.queries)", "forward.cacheHits": "\(statistics.cacheHits)",
                    "forward.cacheMisses": "\(statistics.cacheMisses)", "forward.servFails": "\(statistics.servFails)",
                ])
                await forwarders.close()
            }
            do {
                try await group.shutdownGracefully()
            } catch {
                logger.error("event loops did not shut down cleanly", metadata: ["error": "\(error)"])
            }
        }.value
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

    /// Serials follow the clock (seconds) and always grow, even for two changes in a second.
    static func serial(after previous: UInt32) -> UInt32 {
        max(previous &+ 1, UInt32(truncatingIfNeeded: Int(Date().timeIntervalSince1970)))
    }
}
