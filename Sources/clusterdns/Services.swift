import ClusterModel
import DNSServer
import Logging
import ServiceLifecycle
import Synchronization
import Watch

/// The DNS side as a lifecycle service. On graceful shutdown (SIGTERM, SIGINT) it first turns
/// not-ready and keeps answering for the lame-duck period, so that clients and load balancers
/// move away without a query going unanswered; only then does the server stop accepting,
/// drain TCP and stop.
struct DNSService: ServiceLifecycle.Service {
    let server: DNSServer
    let feed: AsyncStream<FeedUpdate>?
    let status: ServerStatus
    let lameDuck: Duration
    let logger: Logger

    func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await server.run(feed: feed, status: status) }
            tasks.addTask {
                do {
                    try await gracefulShutdown()
                } catch {
                    return  // cancelled: the group is going down without a lame duck
                }
                status.beginLameDuck()
                logger.info("lame duck: not ready, still answering", metadata: ["dns.lameduck": "\(lameDuck)"])
                do {
                    try await Task.sleep(for: lameDuck)
                } catch {
                    return  // cancelled while waiting: stop now
                }
            }
            // Whichever ends first: the server (a start-up error, thrown here) or the lame duck.
            _ = try await tasks.next()
            tasks.cancelAll()
            try await tasks.waitForAll()
        }
    }
}

/// The watch feed as a lifecycle service. `source` resolves once the API to follow is known
/// (the embedded registry tells its port only when it listens).
struct FeedService: ServiceLifecycle.Service {
    let source: @Sendable () async -> WatchSource?
    let options: FeedOptions
    let logger: Logger
    let output: AsyncStream<FeedUpdate>.Continuation
    /// Where `/ready` and `/metrics` find the feed's status once it runs.
    let status: FeedStatusBox

    func run() async throws {
        guard let source = await source() else { return }
        let feed = ClusterFeed(source: source, options: options, logger: logger)
        status.set(feed.status)
        await cancelWhenGracefulShutdown {
            await feed.run { delta, positions, complete in
                output.yield(FeedUpdate(
                    delta: delta, changeReceived: feed.status.changeReceived, positions: positions, complete: complete,
                    expectedServices: feed.status.listTotal(.services)))
            }
        }
        output.finish()
    }
}

/// The feed's status, once there is a feed (it starts when its source is known).
final class FeedStatusBox: Sendable {
    private let value = Mutex<FeedStatus?>(nil)

    var status: FeedStatus? { value.withLock { $0 } }

    func set(_ status: FeedStatus) {
        value.withLock { $0 = status }
    }
}
