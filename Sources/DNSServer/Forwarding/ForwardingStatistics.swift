import Synchronization

/// Counters of forwarding and its cache. Each event loop keeps its own (``Forwarder/statistics``
/// and its cache's hits and misses); ``Forwarders/statistics()`` adds them up. The metrics
/// endpoint reads them from there.
public struct ForwardingStatistics: Sendable, Equatable {
    /// Queries handed to the forwarder (cache hits included).
    public var queries = 0
    /// Queries sent to an upstream, retries over UDP included.
    public var upstreamQueries = 0
    /// Answers that came back from an upstream and went to the client.
    public var answered = 0
    /// Upstream attempts that timed out or whose TCP connection failed.
    public var upstreamFailures = 0
    /// Truncated UDP answers asked again over TCP.
    public var tcpRetries = 0
    /// Queries answered SERVFAIL because every upstream failed.
    public var servFails = 0
    /// Queries that joined an identical one already waiting for an upstream.
    public var joined = 0
    /// Queries answered REFUSED because `--max-in-flight` were already waiting.
    public var refusedOverCap = 0
    /// Upstream datagrams thrown away: unknown ID, wrong source, wrong question, garbage.
    public var rejectedResponses = 0
    public var cacheHits = 0
    public var cacheMisses = 0
    public var cacheEntries = 0
    public var cacheEvictions = 0

    public init() {}

    static func + (lhs: ForwardingStatistics, rhs: ForwardingStatistics) -> ForwardingStatistics {
        var sum = ForwardingStatistics()
        sum.queries = lhs.queries + rhs.queries
        sum.upstreamQueries = lhs.upstreamQueries + rhs.upstreamQueries
        sum.answered = lhs.answered + rhs.answered
        sum.upstreamFailures = lhs.upstreamFailures + rhs.upstreamFailures
        sum.tcpRetries = lhs.tcpRetries + rhs.tcpRetries
        sum.servFails = lhs.servFails + rhs.servFails
        sum.joined = lhs.joined + rhs.joined
        sum.refusedOverCap = lhs.refusedOverCap + rhs.refusedOverCap
        sum.rejectedResponses = lhs.rejectedResponses + rhs.rejectedResponses
        sum.cacheHits = lhs.cacheHits + rhs.cacheHits
        sum.cacheMisses = lhs.cacheMisses + rhs.cacheMisses
        sum.cacheEntries = lhs.cacheEntries + rhs.cacheEntries
        sum.cacheEvictions = lhs.cacheEvictions + rhs.cacheEvictions
        return sum
    }
}

/// Forwarded queries waiting for an upstream, across all loops, against `--max-in-flight`.
/// An atomic, not a lock: the query path never waits on it.
final class InFlightLimit: Sendable {
    private let count = Atomic<Int>(0)
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    /// Takes a slot; false (and nothing taken) when all are in use.
    func acquire() -> Bool {
        if count.add(1, ordering: .relaxed).newValue <= limit { return true }
        count.subtract(1, ordering: .relaxed)
        return false
    }

    func release() {
        count.subtract(1, ordering: .relaxed)
    }
}
