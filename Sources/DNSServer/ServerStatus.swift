import ClusterModel
import Synchronization

/// What the DNS server is doing, for `/ready` and `/metrics`: whether it listens, whether its
/// cluster data is synced, whether it is in its lame-duck period, what the last snapshot holds,
/// and where its counters are. Written by ``DNSServer/run(feed:status:onListening:)`` a few times
/// per snapshot, read per HTTP request: never on the query path.
public final class ServerStatus: Sendable {
    /// Whether the server should get traffic, and if not, why.
    public enum Readiness: Sendable, Equatable {
        case ready
        case notReady(String)
    }

    /// What the published snapshot was built from.
    public struct SnapshotFacts: Sendable, Equatable {
        public var serial: UInt32 = 0
        public var names = 0
        public var services = 0
        public var endpointSlices = 0
        public var namespaces = 0
        public var pods = 0
    }

    private struct State {
        var listening = false
        var synced = false
        var lameDuck = false
        var snapshot = SnapshotFacts()
        var counters: LoopCounters?
        var forwarders: Forwarders?
    }

    private let state = Mutex(State())
    private let boundSignal: AsyncStream<Void>
    private let boundContinuation: AsyncStream<Void>.Continuation

    public init() {
        (boundSignal, boundContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Returns once the DNS sockets are bound (before the data is loaded); returns early when
    /// the task is cancelled. Only one task may wait.
    public func waitUntilBound() async {
        for await _ in boundSignal { return }
    }

    /// Ready once the listeners answer and the cluster data is synced, until the lame duck.
    public var readiness: Readiness {
        state.withLock { state in
            if state.lameDuck { return .notReady("shutting down") }
            if !state.listening { return .notReady("DNS listeners are not up or cluster data is still loading") }
            if !state.synced { return .notReady("cluster data not synced") }
            return .ready
        }
    }

    /// Whether the cluster data is synced (the first registry list applied, or manifests loaded).
    public var synced: Bool { state.withLock { $0.synced } }

    /// The last published snapshot's facts.
    public var snapshot: SnapshotFacts { state.withLock { $0.snapshot } }

    /// From now on not ready: load balancers and probes stop sending new clients while the
    /// listeners keep answering.
    public func beginLameDuck() {
        state.withLock { $0.lameDuck = true }
    }

    /// The query counters of every loop added up; zero before the listeners are up.
    public func queryStatistics() async -> QueryStatistics {
        guard let counters = state.withLock({ $0.counters }) else { return QueryStatistics() }
        return counters.statistics()
    }

    /// The forwarding and cache counters; nil when forwarding is off or not started.
    public func forwardingStatistics() async -> ForwardingStatistics? {
        guard let forwarders = state.withLock({ $0.forwarders }) else { return nil }
        return await forwarders.statistics()
    }

    func bound() {
        boundContinuation.yield()
        boundContinuation.finish()
    }

    func listening(counters: LoopCounters, forwarders: Forwarders?) {
        state.withLock {
            $0.listening = true
            $0.counters = counters
            $0.forwarders = forwarders
        }
    }

    func stopped() {
        state.withLock { $0.listening = false }
    }

    func published(_ facts: SnapshotFacts, synced: Bool) {
        state.withLock {
            $0.snapshot = facts
            $0.synced = synced
        }
    }
}

/// What changed in the cluster, from the watch feed, with when the feed received the oldest
/// change it holds (nil for the first, initial list: nothing was "programmed" then).
public struct FeedUpdate: Sendable {
    public var delta: ClusterDelta
    public var changeReceived: ContinuousClock.Instant?
    /// Per resource (`services`, ...), the resourceVersion the state after this delta is
    /// current to: what a saved snapshot is checked against at the next start.
    public var positions: [String: String]
    /// False for a part of the first list, handed out while the rest arrives: applied, not
    /// served as the registry's state.
    public var complete: Bool
    /// How many services the source's list holds, when it said (see ``SnapshotEngine/compileAhead(expectedServices:)``).
    public var expectedServices: Int?

    public init(
        delta: ClusterDelta, changeReceived: ContinuousClock.Instant?, positions: [String: String] = [:],
        complete: Bool = true, expectedServices: Int? = nil
    ) {
        self.delta = delta
        self.changeReceived = changeReceived
        self.positions = positions
        self.complete = complete
        self.expectedServices = expectedServices
    }
}
