import NIOCore

/// The counters of one event loop: requests by protocol and type, responses by rcode, and the
/// request and forward duration histograms.
///
/// Loop-confined (only the handlers and the forwarder of its loop touch it, and the metrics
/// endpoint reads it by submitting a task to that loop), so the query path pays a plain
/// increment: no lock, no atomic, no allocation. The counters live in one buffer allocated at
/// start, reached through a `let` pointer, so no exclusivity check runs per packet either.
final class QueryCounters {
    private let slots: UnsafeMutablePointer<Int>
    /// Socket errors already logged on this loop: each kind once, not once per packet.
    private var reportedErrors: Set<String> = []

    init() {
        slots = .allocate(capacity: Layout.size)
        slots.initialize(repeating: 0, count: Layout.size)
    }

    deinit {
        slots.deallocate()
    }

    /// Counts one answer the server wrote itself: its protocol, query type, rcode and duration.
    @inline(__always)
    func answered(_ transport: QueryTransport, type: UInt16, rcode: Int, nanoseconds: UInt64) {
        slots[Layout.requests + transport.rawValue * QueryTypeBucket.count + QueryTypeBucket.index(type)] &+= 1
        responded(rcode: rcode, nanoseconds: nanoseconds)
    }

    /// Counts one query handed to the forwarder; its response is counted by ``responded``.
    @inline(__always)
    func forwarded(_ transport: QueryTransport, type: UInt16) {
        slots[Layout.requests + transport.rawValue * QueryTypeBucket.count + QueryTypeBucket.index(type)] &+= 1
    }

    /// Counts a response by rcode and the time from the query's arrival to it.
    @inline(__always)
    func responded(rcode: Int, nanoseconds: UInt64) {
        slots[Layout.rcodes + min(max(rcode, 0), Layout.rcodeCount - 1)] &+= 1
        record(nanoseconds, at: Layout.duration)
    }

    /// Counts the time an upstream took to answer a forwarded query (all attempts).
    func upstreamAnswered(nanoseconds: UInt64) {
        record(nanoseconds, at: Layout.forward)
    }

    @inline(__always)
    private func record(_ nanoseconds: UInt64, at base: Int) {
        let value = Int(truncatingIfNeeded: nanoseconds)
        slots[base + DurationBuckets.index(value)] &+= 1
        slots[base + Layout.sumOffset] &+= value
    }

    /// True the first time this loop sees an error of this description.
    func firstReport(of description: String) -> Bool {
        reportedErrors.insert(description).inserted
    }

    /// A copy of the counters; call on the owning loop.
    var current: QueryStatistics {
        var result = QueryStatistics()
        for type in 0..<QueryTypeBucket.count {
            result.udpRequests[type] = slots[Layout.requests + type]
            result.tcpRequests[type] = slots[Layout.requests + QueryTypeBucket.count + type]
        }
        for rcode in 0..<Layout.rcodeCount { result.rcodes[rcode] = slots[Layout.rcodes + rcode] }
        result.duration = histogram(at: Layout.duration)
        result.forwardDuration = histogram(at: Layout.forward)
        return result
    }

    private func histogram(at base: Int) -> HistogramCounts {
        var counts = HistogramCounts()
        for bucket in 0...DurationBuckets.count { counts.buckets[bucket] = slots[base + bucket] }
        counts.sumNanoseconds = slots[base + Layout.sumOffset]
        return counts
    }

    /// Offsets into `slots`. Literal constants, not stored globals: the query path must not
    /// pay a lazy-initialisation check or an array access to find its counter.
    private enum Layout {
        @inline(__always) static var rcodeCount: Int { 17 }
        /// Buckets (bounds and the overflow), then the sum.
        @inline(__always) static var sumOffset: Int { DurationBuckets.count + 1 }
        @inline(__always) static var histogramSize: Int { DurationBuckets.count + 2 }
        @inline(__always) static var requests: Int { 0 }
        @inline(__always) static var rcodes: Int { requests + 2 * QueryTypeBucket.count }
        @inline(__always) static var duration: Int { rcodes + rcodeCount }
        @inline(__always) static var forward: Int { duration + histogramSize }
        @inline(__always) static var size: Int { forward + histogramSize }
    }
}

/// The protocol a query came over, as a counter index.
enum QueryTransport: Int {
    case udp = 0
    case tcp = 1
}

/// The bounded set of query types the request counter tells apart.
public enum QueryTypeBucket {
    /// Label values, in counter order.
    public static let names = ["A", "AAAA", "SRV", "PTR", "CNAME", "TXT", "ANY", "other"]
    @inline(__always) static var count: Int { 8 }

    @inline(__always)
    static func index(_ type: UInt16) -> Int {
        switch type {
        case 1: 0
        case 28: 1
        case 33: 2
        case 12: 3
        case 5: 4
        case 16: 5
        case 255: 6
        default: 7
        }
    }
}

/// Upper bounds of the duration histograms, in nanoseconds (10 µs to 5 s: cluster answers take
/// microseconds, upstream ones milliseconds).
public enum DurationBuckets {
    /// The bounds, smallest first; an observation goes to the first bound it does not exceed.
    public static let bounds: [Int] = [
        10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000,
        25_000_000, 50_000_000, 100_000_000, 250_000_000, 500_000_000, 1_000_000_000, 2_500_000_000, 5_000_000_000,
    ]

    /// `bounds.count`, as a constant for the query path (a test checks that they agree).
    @inline(__always) static var count: Int { 18 }

    /// The bucket of a duration: the first bound it does not exceed, `count` above them all.
    /// Comparisons against literals, so the query path reads no array.
    @inline(__always)
    static func index(_ nanoseconds: Int) -> Int {
        switch nanoseconds {
        case ...10_000: 0
        case ...25_000: 1
        case ...50_000: 2
        case ...100_000: 3
        case ...250_000: 4
        case ...500_000: 5
        case ...1_000_000: 6
        case ...2_500_000: 7
        case ...5_000_000: 8
        case ...10_000_000: 9
        case ...25_000_000: 10
        case ...50_000_000: 11
        case ...100_000_000: 12
        case ...250_000_000: 13
        case ...500_000_000: 14
        case ...1_000_000_000: 15
        case ...2_500_000_000: 16
        case ...5_000_000_000: 17
        default: 18
        }
    }
}
