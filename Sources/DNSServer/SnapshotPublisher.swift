import ClusterZone
import NIOCore
import Synchronization

/// Hands each new snapshot to the responder of every event loop and UDP worker. One switches
/// at its next query (one atomic load per query or batch tells it a newer snapshot exists),
/// so a change is served without waiting for a busy loop to get to a task; an idle loop
/// switches through a task and an idle worker when woken, so neither keeps an old snapshot
/// alive. The lock is taken only to switch: once per responder and snapshot, never per query.
public final class SnapshotPublisher: Sendable {
    private let slot: SnapshotSlot
    private let responders: [ObjectIdentifier: NIOLoopBound<LoopResponder>]
    private let workers = Mutex<[@Sendable () -> Void]>([])
    private let udpSize: Int
    private let forwarding: Bool
    private let autopath: AutopathStatistics

    init(
        group: any EventLoopGroup, snapshot: ZoneSnapshot, udpSize: Int, forwarding: Bool,
        autopath: AutopathStatistics = AutopathStatistics()
    ) throws {
        let slot = SnapshotSlot(snapshot)
        var responders: [ObjectIdentifier: NIOLoopBound<LoopResponder>] = [:]
        for loop in group.makeIterator() {
            let responder = try loop.submit {
                NIOLoopBound(
                    LoopResponder(
                        try Responder(
                            snapshot: snapshot, maxUDPSize: udpSize, forwarding: forwarding, autopathStatistics: autopath),
                        slot: slot),
                    eventLoop: loop)
            }.wait()
            responders[ObjectIdentifier(loop)] = responder
        }
        self.slot = slot
        self.responders = responders
        self.udpSize = udpSize
        self.forwarding = forwarding
        self.autopath = autopath
    }

    /// A responder for a UDP worker's thread, on the newest snapshot; `wake` is called after
    /// every publish, for the worker to switch even when no query comes.
    func workerResponder(wake: @escaping @Sendable () -> Void) throws -> LoopResponder {
        let responder = LoopResponder(
            try Responder(
                snapshot: slot.snapshot, maxUDPSize: udpSize, forwarding: forwarding, autopathStatistics: autopath),
            slot: slot)
        workers.withLock { $0.append(wake) }
        return responder
    }

    /// The responder that serves channels of `loop`; call on that loop.
    func responder(for loop: any EventLoop) -> LoopResponder {
        responders[ObjectIdentifier(loop)]!.value
    }

    /// Makes `snapshot` current: every loop answers its next query from it.
    public func publish(_ snapshot: ZoneSnapshot) {
        slot.store(snapshot)
        for bound in responders.values {
            // Only for a loop that gets no query soon; one that does has switched already.
            bound.eventLoop.execute { _ = bound.value.current }
        }
        for wake in workers.withLock({ $0 }) { wake() }
    }
}

/// The newest snapshot and a counter that moves with every new one.
final class SnapshotSlot: Sendable {
    private let generation = Atomic<UInt64>(0)
    private let latest: Mutex<ZoneSnapshot>

    init(_ snapshot: ZoneSnapshot) {
        latest = Mutex(snapshot)
    }

    func store(_ snapshot: ZoneSnapshot) {
        latest.withLock { $0 = snapshot }
        generation.add(1, ordering: .releasing)
    }

    @inline(__always)
    var version: UInt64 { generation.load(ordering: .acquiring) }

    /// The newest snapshot, at least as new as `version` was when read before.
    var snapshot: ZoneSnapshot { latest.withLock { $0 } }
}

/// One thread's responder (an event loop's or a UDP worker's), kept on the newest snapshot.
/// Used on that thread only.
final class LoopResponder {
    private let responder: Responder
    private let slot: SnapshotSlot
    private var seen: UInt64 = 0

    init(_ responder: Responder, slot: SnapshotSlot) {
        self.responder = responder
        self.slot = slot
    }

    /// The responder, switched to the newest snapshot first if one was published since.
    @inline(__always)
    var current: Responder {
        let version = slot.version
        if version != seen {
            seen = version
            responder.snapshot = slot.snapshot
        }
        return responder
    }
}
