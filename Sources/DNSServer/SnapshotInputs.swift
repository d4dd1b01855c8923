import ClusterModel
import ClusterZone
import Synchronization

/// What the next snapshot is built from. Producers (the file poller, the watch feed) replace
/// their part and signal; the builder takes the latest of everything, so a burst of changes
/// costs one build.
final class SnapshotInputs: Sendable {
    struct Values {
        var state = ClusterState()
        var staticZones: [StaticZone] = []
        var synced: Bool
        /// When the feed received the oldest change not yet in a published snapshot.
        var changeReceived: ContinuousClock.Instant?
    }

    private let values: Mutex<Values>
    let changes: AsyncStream<Void>
    private let signal: AsyncStream<Void>.Continuation

    init(synced: Bool) {
        values = Mutex(Values(synced: synced))
        (changes, signal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    var current: Values { values.withLock { $0 } }

    /// The current values, for a build: the pending change time goes with them.
    func take() -> Values {
        values.withLock { values in
            let taken = values
            values.changeReceived = nil
            return taken
        }
    }

    func update(_ change: (inout Values) -> Void) {
        values.withLock { change(&$0) }
        signal.yield()
    }

    func finish() {
        signal.finish()
    }
}
