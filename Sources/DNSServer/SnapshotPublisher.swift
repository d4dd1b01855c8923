import ClusterZone
import NIOCore

/// Hands each new snapshot to the responder of every event loop. The swap runs on the loop
/// itself, between two packets, so the query path reads a plain stored property: no lock, no
/// atomic, no actor.
public final class SnapshotPublisher: Sendable {
    private let responders: [ObjectIdentifier: NIOLoopBound<Responder>]

    init(
        group: any EventLoopGroup, snapshot: ZoneSnapshot, udpSize: Int, forwarding: Bool,
        autopath: AutopathStatistics = AutopathStatistics()
    ) throws {
        var responders: [ObjectIdentifier: NIOLoopBound<Responder>] = [:]
        for loop in group.makeIterator() {
            let responder = try loop.submit {
                NIOLoopBound(
                    try Responder(
                        snapshot: snapshot, maxUDPSize: udpSize, forwarding: forwarding, autopathStatistics: autopath),
                    eventLoop: loop)
            }.wait()
            responders[ObjectIdentifier(loop)] = responder
        }
        self.responders = responders
    }

    /// The responder that serves channels of `loop`; call on that loop.
    func responder(for loop: any EventLoop) -> Responder {
        responders[ObjectIdentifier(loop)]!.value
    }

    /// Makes `snapshot` current on every loop; returns when all of them have switched.
    public func publish(_ snapshot: ZoneSnapshot) async {
        await withTaskGroup(of: Void.self) { group in
            for bound in responders.values {
                group.addTask {
                    // Fails only for a loop that is shutting down: it answers nothing more.
                    try? await bound.eventLoop.submit { bound.value.snapshot = snapshot }.get()
                }
            }
        }
    }
}
