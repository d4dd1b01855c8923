import ClusterModel
import DNSWire

/// Builds a whole ``ZoneSnapshot`` from registry objects and static zones in one go. A server
/// that follows changes keeps a ``SnapshotEngine`` instead, which recompiles only what changed.
public struct SnapshotBuilder: Sendable {
    public let configuration: ZoneConfiguration

    public init(configuration: ZoneConfiguration) {
        self.configuration = configuration
    }

    public func build(
        state: ClusterState, staticZones: [StaticZone] = [], serial: UInt32, synced: Bool = true
    ) throws(DNSWireError) -> ZoneSnapshot {
        let engine = try SnapshotEngine(configuration: configuration)
        engine.setStaticZones(staticZones)
        engine.replace(state: state)
        return try engine.snapshot(serial: serial, synced: synced)
    }
}
