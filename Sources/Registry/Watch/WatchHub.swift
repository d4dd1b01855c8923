import Synchronization

/// What a watch stream reacts to: a committed change, or a tick of its own timer.
enum WatchSignal: Sendable {
    case event(WatchEvent)
    case bookmarkDue
    case timeUp
}

/// Fans committed events out to the open watches. Events arrive in commit order (the store
/// publishes from SQLite's serialized writer), so every watch sees them in resourceVersion order.
final class WatchHub: Sendable {
    /// A watch's registration: its stream, and the newest version published before it joined.
    struct Subscription: Sendable {
        var id: Int
        var publishedThrough: Int64
        var signals: AsyncStream<WatchSignal>
        var continuation: AsyncStream<WatchSignal>.Continuation
    }

    private struct State {
        var closed = false
        var publishedThrough: Int64
        var nextID = 0
        var watchers: [Int: AsyncStream<WatchSignal>.Continuation] = [:]
    }

    private let state: Mutex<State>

    /// How many signals a slow watch may have waiting before it is cut off (it then resumes
    /// from its last resourceVersion, as any Kubernetes client does after a dropped watch).
    static let backlogLimit = 10_000

    init(resourceVersion: Int64) {
        state = Mutex(State(publishedThrough: resourceVersion))
    }

    /// Registers a watch, unless `limit` watches are already open (then nil).
    func subscribe(limit: Int) -> Subscription? {
        let (signals, continuation) = AsyncStream<WatchSignal>.makeStream(
            bufferingPolicy: .bufferingOldest(Self.backlogLimit))
        return state.withLock { state -> Subscription? in
            guard !state.closed, state.watchers.count < limit else { return nil }
            let id = state.nextID
            state.nextID += 1
            state.watchers[id] = continuation
            return Subscription(
                id: id, publishedThrough: state.publishedThrough, signals: signals, continuation: continuation)
        }
    }

    func unsubscribe(_ id: Int) {
        let continuation = state.withLock { $0.watchers.removeValue(forKey: id) }
        continuation?.finish()
    }

    /// Ends every open watch and refuses new ones: the registry is shutting down.
    func closeAll() {
        let open = state.withLock { state in
            state.closed = true
            defer { state.watchers = [:] }
            return Array(state.watchers.values)
        }
        for continuation in open { continuation.finish() }
    }

    /// The number of open watches.
    var count: Int { state.withLock { $0.watchers.count } }

    /// Hands committed events to every watch; a watch whose backlog is full is ended.
    func publish(_ events: [WatchEvent]) {
        state.withLock { state in
            for (id, continuation) in state.watchers {
                for event in events {
                    if case .dropped = continuation.yield(.event(event)) {
                        continuation.finish()
                        state.watchers[id] = nil
                        break
                    }
                }
            }
            if let last = events.last { state.publishedThrough = last.resourceVersion }
        }
    }
}
