import AsyncHTTPClient
import ClusterModel
import Logging
import NIOCore
import Synchronization

/// How the feed behaves.
public struct FeedOptions: Sendable {
    /// Follow pods too (for `--pods verified` and autopath); only name, namespace and IPs are kept.
    public var includePods: Bool
    /// A full list this often even when watches run fine, or never (nil, the default). A watch
    /// resumed from its last version replays what it missed, deletes included, or gets 410 and
    /// lists again, so client-go's reflectors do not relist on a timer either. A timed relist
    /// costs a whole list's transfer, decoding and memory each time: measured in the soak at
    /// N = 10,000, RSS stepped up 9 MB at the 300 s relist.
    public var relistInterval: Duration?
    /// How long one watch request lasts before it is renewed (`timeoutSeconds`).
    public var watchTimeout: Duration
    /// Changes arriving within this window are handed out together. None by default: a
    /// change costs the DNS side what it changes, and changes that arrive while it builds are
    /// taken together anyway.
    public var coalesce: Duration
    public var minBackoff: Duration
    public var maxBackoff: Duration
    /// Objects per list page (`limit`), as client-go's reflectors page: a large cluster's list
    /// never arrives, nor is decoded, as one body.
    public var listPageSize: Int
    /// Keep endpoints' pod names (`targetRef.name`): only `--endpoint-pod-names` reads them.
    public var endpointPodNames: Bool

    public init(
        includePods: Bool = false, relistInterval: Duration? = nil, watchTimeout: Duration = .seconds(240),
        coalesce: Duration = .zero, minBackoff: Duration = .milliseconds(200), maxBackoff: Duration = .seconds(30),
        listPageSize: Int = 500, endpointPodNames: Bool = true
    ) {
        self.listPageSize = max(1, listPageSize)
        self.endpointPodNames = endpointPodNames
        self.includePods = includePods
        self.relistInterval = relistInterval
        self.watchTimeout = watchTimeout
        self.coalesce = coalesce
        self.minBackoff = minBackoff
        self.maxBackoff = maxBackoff
    }

    /// Exponential, capped, with full jitter so that replicas do not retry in step.
    func backoff(failures: Int) -> Duration {
        let ceiling = min(maxBackoff, minBackoff * (1 << min(failures - 1, 16)))
        return ceiling * Double.random(in: 0.5...1.0)
    }
}

/// The watch feed: lists and watches Namespaces, Services, EndpointSlices (and Pods) from a
/// Kubernetes-style API and hands out what changed, object by object.
public final class ClusterFeed: Sendable {
    public let source: WatchSource
    public let options: FeedOptions
    public let status = FeedStatus()
    private let logger: Logger

    public init(source: WatchSource, options: FeedOptions = FeedOptions(), logger: Logger) {
        self.source = source
        self.options = options
        self.logger = logger
    }

    /// Runs until cancelled. `publish` gets every object once every kind has been listed, then
    /// the changes of each burst (a relist hands out only what differs from before); a failing
    /// source leaves what was handed out in place. Applied in order, the deltas are the state;
    /// each comes with the positions that state is current to. Before that, the first list's
    /// pages come as they arrive, marked not complete (and without positions): the state
    /// they add up to is only a part of the registry until the first complete one.
    public func run(publish: @escaping @Sendable (ClusterDelta, FeedPositions, _ complete: Bool) async -> Void) async {
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = source.tls
        configuration.timeout = .init(connect: .seconds(5))
        // Fail a refused connection at once: the reflectors back off and report it themselves.
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let store = ObjectStore(options: options)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.reflector(Namespace.self, client, store).run() }
            group.addTask { await self.reflector(Service.self, client, store).run() }
            group.addTask { await self.reflector(EndpointSlice.self, client, store).run() }
            if options.includePods {
                group.addTask { await self.reflector(Pod.self, client, store).run() }
            }
            group.addTask { await self.publishChanges(store, publish: publish) }
            await group.waitForAll()
        }
        do {
            try await client.shutdown()
        } catch {
            logger.debug("closing the feed's HTTP client", metadata: ["error": "\(error)"])
        }
    }

    private func reflector<T: ClusterObject>(_ type: T.Type, _ client: HTTPClient, _ store: ObjectStore) -> Reflector<T> {
        Reflector(source: source, client: client, store: store, status: status, options: options, logger: logger)
    }

    /// Publishes after each burst of changes: parts of the first list until every kind has
    /// been listed, then the registry's state and its changes.
    private func publishChanges(
        _ store: ObjectStore, publish: @Sendable (ClusterDelta, FeedPositions, _ complete: Bool) async -> Void
    ) async {
        let kinds = options.includePods ? 4 : 3
        var synced = false
        var handedOut = -1
        for await _ in store.changes {
            do {
                if options.coalesce > .zero { try await Task.sleep(for: options.coalesce) }
            } catch {
                return
            }
            guard store.version != handedOut else { continue }
            // Whether the changes taken complete the state is known with them, under one lock:
            // a list ending between two reads would otherwise be handed out as a part only.
            let (delta, version, received, positions, listedKinds) = store.take()
            let complete = listedKinds >= kinds
            // The initial list is not a change being programmed: only later ones are timed.
            status.handingOut(changeReceived: synced ? received : nil)
            await publish(delta, complete ? positions : [:], complete)
            handedOut = version
            if complete, !synced {
                logger.info("registry synced", metadata: ["watch.source": "\(source.server)"])
                status.markSynced()
                synced = true
            }
        }
    }
}

/// What the feed is doing, for `/ready` and metrics.
public final class FeedStatus: Sendable {
    private struct State {
        var synced = false
        var watching = 0
        var lastError: String?
        var failures = 0
        var events = 0
        var relists = 0
        var changeReceived: ContinuousClock.Instant?
        var listTotals: [KubeResource: Int] = [:]
    }

    private let state = Mutex(State())

    public var synced: Bool { state.withLock { $0.synced } }
    public var lastError: String? { state.withLock { $0.lastError } }
    public var events: Int { state.withLock { $0.events } }
    /// Failed lists and watches (refused, dropped, HTTP errors), each retried after a backoff.
    public var failures: Int { state.withLock { $0.failures } }
    public var relists: Int { state.withLock { $0.relists } }
    /// When the feed received the oldest change in the state it is handing out now (read it
    /// inside the `publish` callback); nil for the initial list.
    public var changeReceived: ContinuousClock.Instant? { state.withLock { $0.changeReceived } }

    /// How many objects of the kind its latest list holds, when the source said so on the first
    /// page (`remainingItemCount`): a first list's size is known from its first page on.
    public func listTotal(_ resource: KubeResource) -> Int? { state.withLock { $0.listTotals[resource] } }

    func listing(_ resource: KubeResource, total: Int) { state.withLock { $0.listTotals[resource] = total } }

    func listed(_ resource: KubeResource) {
        state.withLock { $0.lastError = nil }
    }

    func handingOut(changeReceived: ContinuousClock.Instant?) { state.withLock { $0.changeReceived = changeReceived } }
    func markSynced() { state.withLock { $0.synced = true } }
    func relisted() { state.withLock { $0.relists += 1 } }
    func event() { state.withLock { $0.events += 1 } }
    func failed(_ message: String) {
        state.withLock {
            $0.lastError = message
            $0.failures += 1
        }
    }
    func connected(_ up: Bool) { state.withLock { $0.watching += up ? 1 : -1 } }
}
