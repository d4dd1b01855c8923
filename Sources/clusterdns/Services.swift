import ClusterModel
import DNSServer
import ServiceLifecycle
import Watch

/// The DNS side as a lifecycle service: serves until graceful shutdown.
struct DNSService: ServiceLifecycle.Service {
    let server: DNSServer
    let feed: AsyncStream<ClusterState>?

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await server.run(feed: feed)
        }
    }
}

/// The watch feed as a lifecycle service. `source` resolves once the API to follow is known
/// (the embedded registry tells its port only when it listens).
struct FeedService: ServiceLifecycle.Service {
    let source: @Sendable () async -> WatchSource?
    let options: FeedOptions
    let logger: Logger
    let output: AsyncStream<ClusterState>.Continuation

    func run() async throws {
        guard let source = await source() else { return }
        let feed = ClusterFeed(source: source, options: options, logger: logger)
        await cancelWhenGracefulShutdown {
            await feed.run { output.yield($0) }
        }
        output.finish()
    }
}

import Logging
