import ClusterModel
import ClusterZone
import Synchronization

/// What the next snapshot is built from. Producers (the file poller, the watch feed) add
/// their changes and signal; the builder takes everything pending, so a burst of changes
/// costs one build.
final class SnapshotInputs: Sendable {
    struct Values {
        /// A whole new set of objects (`--manifests` read again), replacing every object.
        var state: ClusterState?
        /// Changes from the watch feed, merged until the builder takes them.
        var delta = ClusterDelta()
        /// Static zones read again.
        var staticZones: [StaticZone]?
        var synced: Bool
        /// When the feed received the oldest change not yet in a published snapshot.
        var changeReceived: ContinuousClock.Instant?
        /// Where the feed's state is, per kind (see ``FeedUpdate/positions``): not reset by a
        /// take, it stays true of the state until the next update.
        var positions: [String: String] = [:]
        /// How many services the feed's list holds, when its source said; kept, as positions.
        var expectedServices = 0
    }

    private let values: Mutex<Values>
    let changes: AsyncStream<Void>
    private let signal: AsyncStream<Void>.Continuation

    init(synced: Bool) {
        values = Mutex(Values(synced: synced))
        (changes, signal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// The pending changes, for a build; they are handed out once.
    func take() -> Values {
        values.withLock { values in
            let taken = values
            values.state = nil
            values.delta = ClusterDelta()
            values.staticZones = nil
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
