import ClusterModel
import Synchronization

/// Per resource (`services`, `endpointslices`, ...), the resourceVersion the handed-out state
/// is current to: nothing of that kind changed in the source between it and the state.
public typealias FeedPositions = [String: String]

/// The objects the feed has seen, per kind, and the changes not yet handed out. Shared by the
/// reflector tasks and the publisher; never touched by the DNS query path.
final class ObjectStore: Sendable {
    private struct Contents {
        var objects = ObjectTables()
        /// Kinds listed at least once: only then is the state complete for them.
        var listed: Set<KubeResource> = []
        var version = 0
        /// Changes since the last ``ObjectStore/take()``, one entry per object.
        var pending = ClusterDelta()
        /// When the oldest change not yet handed out arrived.
        var changeReceived: ContinuousClock.Instant?
        /// Per kind, the resourceVersion its objects here are current to: the list's, then
        /// each event's or bookmark's.
        var positions: [KubeResource: String] = [:]

        mutating func follow(_ resource: KubeResource, to version: String?) {
            if let version { positions[resource] = version }
        }

        mutating func changed() {
            version += 1
            if changeReceived == nil { changeReceived = .now }
        }
    }

    private let contents = Mutex(Contents())
    /// What of an object is kept (``ClusterObject/kept(_:)``).
    private let options: FeedOptions
    /// Yields after every change; holds at most one pending signal, so bursts coalesce.
    let changes: AsyncStream<Void>
    private let signal: AsyncStream<Void>.Continuation

    init(options: FeedOptions = FeedOptions()) {
        self.options = options
        (changes, signal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Replaces every object of the kind (after a relist): deletes missed meanwhile disappear.
    /// Only the objects that differ from what the store held become changes. Objects are kept
    /// as ``ClusterObject/kept(_:)``, which a list's items already are. A key listed twice
    /// keeps the later object, and that one is compared and handed out.
    ///
    /// The table is built as the store keeps it (``ObjectTables``), sized once.
    func replace<T: ClusterObject>(_ objects: [T], version: String?) {
        let held = contents.withLock { $0.objects[keyPath: T.table] }
        var table: [String: T] = [:]
        table.reserveCapacity(objects.count)
        for object in objects {
            // The key string held already, where there is one (the first list's pages put it
            // in the engine too): a new one for every object was 7 MB more at N = 100,000.
            let key = object.key
            table[held.index(forKey: key).map { held.keys[$0] } ?? key] = object
        }
        contents.withLock {
            let old = $0.objects[keyPath: T.table]
            for (key, object) in table where old[key] != object {
                T.record(object, key: key, in: &$0.pending)
            }
            for key in old.keys where table[key] == nil {
                T.record(nil, key: key, in: &$0.pending)
            }
            $0.objects[keyPath: T.table] = table
            $0.listed.insert(T.resource)
            $0.follow(T.resource, to: version)
            $0.changed()
        }
        signal.yield()
    }

    /// Starts a kind's first list, or starts it again: true while the kind was never listed
    /// whole. What an earlier attempt's pages put here is taken away (handed out as deleted),
    /// so that at the list's end the kind holds exactly what this attempt's pages brought: a
    /// list cut short and started again cannot leave behind an object deleted meanwhile.
    func startFirstList<T: ClusterObject>(_ type: T.Type) -> Bool {
        let (first, changed) = contents.withLock { contents -> (Bool, Bool) in
            guard !contents.listed.contains(T.resource) else { return (false, false) }
            let held = contents.objects[keyPath: T.table]
            guard !held.isEmpty else { return (true, false) }
            for key in held.keys { T.record(nil, key: key, in: &contents.pending) }
            contents.objects[keyPath: T.table] = [:]
            contents.changed()
            return (true, true)
        }
        if changed { signal.yield() }
        return first
    }

    /// A page of a kind's first list, handed out as it arrives so that the changes it makes
    /// are worked on while the next pages come (a whole list at 100,000 services: seconds).
    /// Nothing for a kind listed before: a relist hands out only what differs, at its end
    /// (``replace(_:version:)``).
    func addFirstListPage<T: ClusterObject>(_ objects: [T]) {
        let changed = contents.withLock {
            guard !$0.listed.contains(T.resource) else { return false }
            var table = $0.objects[keyPath: T.table]
            $0.objects[keyPath: T.table] = [:]
            table.reserveCapacity(table.count + objects.count)
            for object in objects {
                // One key string, kept by the table and by the engine the change goes to: made
                // twice, each object's key was held twice (7 MB at N = 100,000).
                let key = object.key
                table[key] = object
                T.record(object, key: key, in: &$0.pending)
            }
            $0.objects[keyPath: T.table] = table
            $0.changed()
            return true
        }
        if changed { signal.yield() }
    }

    /// The end of a first list started with ``startFirstList(_:)``, whose pages are all here:
    /// the kind is complete at `version`. Nothing is compared again: at N = 100,000, doing so
    /// (``replace(_:version:)``, over items kept for it) held the first answer back by about
    /// 0.25 s (5 alternating cold starts: 2.58 s without, 2.82 s with; peak RSS the same).
    func endFirstList<T: ClusterObject>(_ type: T.Type, version: String?) {
        contents.withLock {
            $0.listed.insert(T.resource)
            $0.follow(T.resource, to: version)
            $0.changed()
        }
        signal.yield()
    }

    /// An added or modified object. A modification of fields DNS does not read (a controller
    /// rewriting an annotation, a label, a node name; the resourceVersion itself) only moves
    /// the kind's position, as a bookmark does: no change is handed out, nothing is compiled.
    func upsert<T: ClusterObject>(_ object: T) {
        let version = object.metadata.resourceVersion
        let kept = object.kept(options)
        let changed = contents.withLock {
            $0.follow(T.resource, to: version)
            guard $0.objects[keyPath: T.table][kept.key] != kept else { return false }
            $0.objects[keyPath: T.table][kept.key] = kept
            T.record(kept, key: kept.key, in: &$0.pending)
            $0.changed()
            return true
        }
        if changed { signal.yield() }
    }

    func remove<T: ClusterObject>(_ object: T) {
        contents.withLock {
            $0.objects[keyPath: T.table][object.key] = nil
            $0.follow(T.resource, to: object.metadata.resourceVersion)
            T.record(nil, key: object.key, in: &$0.pending)
            $0.changed()
        }
        signal.yield()
    }

    /// A bookmark: nothing of the kind changed up to `version`. Handed out with the next change.
    func bookmark(_ resource: KubeResource, version: String?) {
        contents.withLock { $0.follow(resource, to: version) }
    }

    var version: Int { contents.withLock { $0.version } }

    /// The changes since the previous call, with the version they bring the store to, when
    /// the oldest of them arrived, each kind's position (resource → resourceVersion), and how
    /// many kinds had been listed whole by then (the state is the registry's once all have).
    func take() -> (
        delta: ClusterDelta, version: Int, changeReceived: ContinuousClock.Instant?, positions: FeedPositions,
        listedKinds: Int
    ) {
        contents.withLock { contents in
            let positions = FeedPositions(uniqueKeysWithValues: contents.positions.map { ($0.key.rawValue, $0.value) })
            let taken = (contents.pending, contents.version, contents.changeReceived, positions, contents.listed.count)
            contents.pending = ClusterDelta()
            contents.changeReceived = nil
            return taken
        }
    }
}
