/// Counts of one histogram: per bucket (not cumulative; the last is above every bound) and the
/// sum of the observed values.
public struct HistogramCounts: Sendable, Equatable {
    /// Observations per bucket of ``DurationBuckets/bounds``, then those above every bound.
    public var buckets = [Int](repeating: 0, count: DurationBuckets.bounds.count + 1)
    /// The sum of all observations, in nanoseconds.
    public var sumNanoseconds = 0

    /// Observations in all.
    public var count: Int { buckets.reduce(0, +) }

    static func + (lhs: HistogramCounts, rhs: HistogramCounts) -> HistogramCounts {
        var sum = lhs
        for index in sum.buckets.indices { sum.buckets[index] += rhs.buckets[index] }
        sum.sumNanoseconds += rhs.sumNanoseconds
        return sum
    }
}

/// The query counters of every loop added up, for the metrics endpoint.
public struct QueryStatistics: Sendable, Equatable {
    /// Requests by query type (``QueryTypeBucket/names`` order), per protocol.
    public var udpRequests = [Int](repeating: 0, count: QueryTypeBucket.count)
    public var tcpRequests = [Int](repeating: 0, count: QueryTypeBucket.count)
    /// Responses by rcode 0-15; index 16 is unused (the header holds 4 bits).
    public var rcodes = [Int](repeating: 0, count: 17)
    /// From a query's arrival to its response being written, answered here or upstream.
    public var duration = HistogramCounts()
    /// From a forwarded query's first upstream attempt to the upstream's answer.
    public var forwardDuration = HistogramCounts()

    /// All counters zero.
    public init() {}

    static func + (lhs: QueryStatistics, rhs: QueryStatistics) -> QueryStatistics {
        var sum = lhs
        for index in sum.udpRequests.indices {
            sum.udpRequests[index] += rhs.udpRequests[index]
            sum.tcpRequests[index] += rhs.tcpRequests[index]
        }
        for index in sum.rcodes.indices { sum.rcodes[index] += rhs.rcodes[index] }
        sum.duration = sum.duration + rhs.duration
        sum.forwardDuration = sum.forwardDuration + rhs.forwardDuration
        return sum
    }
}
