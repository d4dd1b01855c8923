import ClusterModel
import ClusterZone
import Logging

/// Turns pending inputs into published snapshots: the engine applies the changes, the new
/// snapshot goes to every loop, and what it took is recorded. An actor: the start-up build and
/// then the builder task use it, never the query path.
actor SnapshotPipeline {
    private let configuration: ZoneConfiguration
    private let engine: SnapshotEngine
    private let publisher: SnapshotPublisher
    private let status: ServerStatus
    private let metrics = SnapshotMetrics()
    private let logger: Logger
    /// Problems already logged: each is logged once, when it appears.
    private var reported: Set<String> = []
    /// The static zones the engine serves (part of a saved snapshot's identity).
    private var staticZones: [StaticZone] = []
    /// The last published snapshot, the feed positions it reflects, and its object counts.
    private var published: (snapshot: ZoneSnapshot, positions: [String: String], facts: ServerStatus.SnapshotFacts)?
    /// A saved snapshot is being served while the engine has not seen the whole registry yet:
    /// the engine's own snapshots wait until it has.
    private var servingSaved = false
    /// The saved file holds what is served: nothing to write at shutdown.
    private var savedIsCurrent = false
    /// The saved snapshot being served and its identity: its answers may be adopted only
    /// while the configuration and static zones are still the ones it was saved with.
    private var restoredFrom: (saved: SavedSnapshot, identity: String)?

    init(configuration: ZoneConfiguration, publisher: SnapshotPublisher, status: ServerStatus, logger: Logger) throws {
        self.configuration = configuration
        self.engine = try SnapshotEngine(configuration: configuration)
        self.publisher = publisher
        self.status = status
        self.logger = logger
    }

    /// A build that compiled this many names (a whole list, a resync) leaves its transients,
    /// the list's JSON and decoded objects among them, free in the allocator: they are given
    /// back to the system after it.
    static let trimAfter = 20_000

    /// The last snapshot served changes under an older SOA serial (see ``SnapshotEngine``).
    var serialBehind: Bool { engine.serialBehind }

    func buildAndPublish(_ inputs: consuming SnapshotInputs.Values, serial: UInt32) async throws -> ZoneSnapshot {
        let started = ContinuousClock.now
        if let zones = inputs.staticZones {
            engine.setStaticZones(zones)
            staticZones = zones
        }
        if let state = inputs.state { engine.replace(state: state) }
        engine.apply(inputs.delta)
        // Its objects are in the engine now: a whole list is not held twice while it compiles.
        let changed = inputs.state != nil || inputs.staticZones != nil || !inputs.delta.isEmpty
        inputs.delta = ClusterDelta()
        inputs.state = nil
        // Until the feed is synced, its changes are parts of the first list: the engine takes
        // them as they come, so the list is mostly applied by its end, and no part is served.
        // A saved snapshot stays meanwhile; otherwise the one served from the start does,
        // unless the static zones changed (a part of the list may then be served, unsynced:
        // what it holds, answered; what it lacks, SERVFAIL).
        if !inputs.synced, let published, servingSaved || (inputs.staticZones == nil && inputs.state == nil) {
            // A saved snapshot's answers are adopted whole, or not at all: nothing is compiled ahead.
            if !servingSaved { try engine.compileAhead(expectedServices: inputs.expectedServices) }
            return published.snapshot
        }
        var adopted: ZoneSnapshot?
        if servingSaved, let published, let restoredFrom,
            restoredFrom.identity == restoredFrom.saved.identity(zone: configuration, staticZones: staticZones),
            await restoredFrom.saved.isCurrent(published.positions)
        {
            // Nothing changed in the registry after the saved positions, so the feed's state is
            // the saved one: its answers are what a build would compile, and are taken as they are.
            adopted = try engine.adopt(published.snapshot, synced: inputs.synced)
        }
        let ahead = engine.servicesCompiledAhead
        let snapshot = try adopted ?? engine.snapshot(serial: serial, synced: inputs.synced)
        if adopted == nil, ahead > 0 {
            logger.debug("services compiled while the first list arrived", metadata: ["dns.services": "\(ahead)"])
        }
        metrics.built(in: ContinuousClock.now - started, compiledNames: snapshot.compiledNames)
        let problems = Set(snapshot.problems)
        for problem in snapshot.problems where !reported.contains(problem) {
            logger.warning("not served: \(problem)")
        }
        reported = problems
        publisher.publish(snapshot)
        // Here, not by the caller: a first list's parts return the snapshot already served.
        logger.debug("snapshot published", metadata: [
            "dns.names": "\(snapshot.nameCount)", "dns.serial": "\(snapshot.serial)",
            "dns.compiled": "\(snapshot.compiledNames)",
        ])
        if let received = inputs.changeReceived {
            metrics.programmed(in: ContinuousClock.now - received)
        }
        let facts = ServerStatus.SnapshotFacts(engine, snapshot: snapshot)
        published = (snapshot, inputs.positions, facts)
        if snapshot.compiledNames >= Self.trimAfter || adopted != nil { ReleaseFreeMemory.now() }
        if adopted == nil, changed {
            savedIsCurrent = false
        }
        if servingSaved {
            logger.info(adopted == nil
                ? "registry synced: it changed since the saved snapshot, which is replaced by one built from it"
                : "registry synced: unchanged since the saved snapshot, whose answers stay")
        }
        servingSaved = false
        status.published(facts, synced: inputs.synced)
        return snapshot
    }

    /// Serves the saved snapshot if it is for this configuration and the source has not
    /// changed since; otherwise says why not and leaves the engine to build from the source.
    func restore(_ saved: SavedSnapshot) async -> ZoneSnapshot? {
        let started = ContinuousClock.now
        let identity = saved.identity(zone: configuration, staticZones: staticZones)
        let snapshot: ZoneSnapshot
        let annotations: [String: String]
        do {
            (snapshot, annotations) = try SnapshotFile.read(path: saved.path, identity: identity, configuration: configuration)
        } catch {
            logger.info("no saved snapshot served, building from the registry", metadata: [
                "snapshot.path": "\(saved.path)", "reason": "\(error)",
            ])
            return nil
        }
        let positions = SavedSnapshot.positions(in: annotations)
        guard !positions.isEmpty, await saved.isCurrent(positions) else {
            logger.info("saved snapshot is out of date: the registry changed since; building from it", metadata: [
                "snapshot.path": "\(saved.path)",
            ])
            return nil
        }
        publisher.publish(snapshot)
        let facts = SavedSnapshot.facts(snapshot, annotations: annotations)
        published = (snapshot, positions, facts)
        savedIsCurrent = true
        servingSaved = true
        restoredFrom = (saved, identity)
        status.published(facts, synced: true)
        logger.info("serving the saved snapshot while the registry is read", metadata: [
            "snapshot.path": "\(saved.path)", "dns.names": "\(snapshot.nameCount)",
            "snapshot.loadSeconds": "\(ContinuousClock.now - started)",
        ])
        return snapshot
    }

    /// Writes the last published snapshot for the next start, unless it is not synced, not
    /// from a feed, or already what the file holds.
    func save(_ saved: SavedSnapshot) {
        guard let published, published.snapshot.synced, !published.positions.isEmpty, !savedIsCurrent else { return }
        let started = ContinuousClock.now
        do {
            try SnapshotFile.write(
                published.snapshot, identity: saved.identity(zone: configuration, staticZones: staticZones),
                annotations: SavedSnapshot.annotations(positions: published.positions, facts: published.facts),
                to: saved.path)
            savedIsCurrent = true
            logger.info("snapshot saved for the next start", metadata: [
                "snapshot.path": "\(saved.path)", "dns.names": "\(published.snapshot.nameCount)",
                "snapshot.saveSeconds": "\(ContinuousClock.now - started)",
            ])
        } catch {
            logger.warning("snapshot not saved; the next start builds from the registry", metadata: [
                "snapshot.path": "\(saved.path)", "error": "\(error)",
            ])
        }
    }
}
