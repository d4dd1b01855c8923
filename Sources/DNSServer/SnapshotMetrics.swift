import ClusterModel
import ClusterZone
import CoreMetrics

/// The snapshot side's metrics, made once per server: they are recorded per snapshot, never
/// per query, so they go straight to swift-metrics.
struct SnapshotMetrics: Sendable {
    /// Building a snapshot from the cluster state and the static zones.
    private let build = CoreMetrics.Timer(label: "clusterdns_snapshot_build_duration_seconds")
    /// From the watch feed receiving a change (the oldest one not yet served) to the snapshot
    /// holding it being current on every event loop.
    private let programming = CoreMetrics.Timer(label: "clusterdns_kubernetes_dns_programming_duration_seconds")

    func built(in duration: Duration) {
        build.recordNanoseconds(Self.nanoseconds(duration))
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
    init(_ state: ClusterState, snapshot: ZoneSnapshot) {
        self.init()
        serial = snapshot.serial
        names = snapshot.nameCount
        services = state.services.count
        endpointSlices = state.endpointSlices.count
        namespaces = state.namespaces.count
        pods = state.pods.count
    }
}
