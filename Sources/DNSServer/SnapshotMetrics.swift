import ClusterModel
import ClusterZone
import CoreMetrics

/// The snapshot side's metrics, made once per server: they are recorded per snapshot, never
/// per query, so they go straight to swift-metrics.
struct SnapshotMetrics: Sendable {
    /// Building a snapshot: applying the changes and compiling the names they touched.
    private let build = CoreMetrics.Timer(label: "clusterdns_snapshot_build_duration_seconds")
    /// Names compiled per snapshot (the rest were copied or shared): a change's cost.
    private let compiled = CoreMetrics.Recorder(label: "clusterdns_snapshot_compiled_names")
    /// From the watch feed receiving a change (the oldest one not yet served) to the snapshot
    /// holding it being published (every event loop answers its next query from it).
    private let programming = CoreMetrics.Timer(label: "clusterdns_kubernetes_dns_programming_duration_seconds")

    func built(in duration: Duration, compiledNames: Int) {
        build.recordNanoseconds(Self.nanoseconds(duration))
        compiled.record(compiledNames)
    }

    func programmed(in duration: Duration) {
        programming.recordNanoseconds(Self.nanoseconds(duration))
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return max(0, seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

extension ServerStatus.SnapshotFacts {
    init(_ engine: SnapshotEngine, snapshot: ZoneSnapshot) {
        self.init()
        serial = snapshot.serial
        names = snapshot.nameCount
        let counts = engine.objectCounts
        services = counts.services
        endpointSlices = counts.endpointSlices
        namespaces = counts.namespaces
        pods = counts.pods
    }
}
