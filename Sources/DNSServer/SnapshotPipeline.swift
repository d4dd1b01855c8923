import ClusterZone
import Logging

/// Turns pending inputs into published snapshots: the engine applies the changes, the new
/// snapshot goes to every loop, and what it took is recorded. An actor: the start-up build and
/// then the builder task use it, never the query path.
actor SnapshotPipeline {
    private let engine: SnapshotEngine
    private let publisher: SnapshotPublisher
    private let status: ServerStatus
    private let metrics = SnapshotMetrics()
    private let logger: Logger
    /// Problems already logged: each is logged once, when it appears.
    private var reported: Set<String> = []

    init(configuration: ZoneConfiguration, publisher: SnapshotPublisher, status: ServerStatus, logger: Logger) throws {
        self.engine = try SnapshotEngine(configuration: configuration)
        self.publisher = publisher
        self.status = status
        self.logger = logger
    }

    /// The last snapshot served changes under an older SOA serial (see ``SnapshotEngine``).
    var serialBehind: Bool { engine.serialBehind }

    func buildAndPublish(_ inputs: SnapshotInputs.Values, serial: UInt32) async throws -> ZoneSnapshot {
        let started = ContinuousClock.now
        if let zones = inputs.staticZones { engine.setStaticZones(zones) }
        if let state = inputs.state { engine.replace(state: state) }
        engine.apply(inputs.delta)
        let snapshot = try engine.snapshot(serial: serial, synced: inputs.synced)
        metrics.built(in: ContinuousClock.now - started, compiledNames: snapshot.compiledNames)
        let problems = Set(snapshot.problems)
        for problem in snapshot.problems where !reported.contains(problem) {
            logger.warning("not served: \(problem)")
        }
        reported = problems
        await publisher.publish(snapshot)
        if let received = inputs.changeReceived {
            metrics.programmed(in: ContinuousClock.now - received)
        }
        status.published(ServerStatus.SnapshotFacts(engine, snapshot: snapshot), synced: inputs.synced)
        return snapshot
    }
}
