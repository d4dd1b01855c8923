import Atomics
import Synchronization

/// The counters of one thread that answers queries (an event loop or a UDP worker): requests
/// by protocol and type, responses by rcode, and the request and forward duration histograms.
///
/// One thread writes them (the handlers and forwarder of its loop, or its worker), any thread
/// reads them (the metrics endpoint). A counter is one relaxed atomic word that only its
/// writer changes, so an update is a plain load and store (no locked instruction, no lock, no
/// allocation) and a reader sees each counter whole. The words live in one buffer allocated at
/// start, reached through a `let` pointer, so no exclusivity check runs per packet either
/// (hence `@unchecked`: the pointer's words are atomics).
final class QueryCounters: @unchecked Sendable {
    private let slots: UnsafeMutablePointer<UnsafeAtomic<Int>.Storage>
    /// Socket errors already logged by this thread: each kind once, not once per packet.
    private let reportedErrors = Mutex<Set<String>>([])

    init() {
        slots = .allocate(capacity: Layout.size)
        slots.initialize(repeating: UnsafeAtomic<Int>.Storage(0), count: Layout.size)
    }

    deinit {
        slots.deinitialize(count: Layout.size)
        slots.deallocate()
    }

    /// Adds to a counter; only the owning thread calls this.
    @inline(__always)
    private func add(_ value: Int, at index: Int) {
        let slot = UnsafeAtomic<Int>(at: slots + index)
        slot.store(slot.load(ordering: .relaxed) &+ value, ordering: .relaxed)
    }

    @inline(__always)
    private func value(at index: Int) -> Int {
        UnsafeAtomic<Int>(at: slots + index).load(ordering: .relaxed)
    }

    /// Counts one answer the server wrote itself: its protocol, query type, rcode and duration.
    @inline(__always)
    func answered(_ transport: QueryTransport, type: UInt16, rcode: Int, nanoseconds: UInt64) {
        add(1, at: Layout.requests + transport.rawValue * QueryTypeBucket.count + QueryTypeBucket.index(type))
        responded(rcode: rcode, nanoseconds: nanoseconds)
    }

    /// Counts one query handed to the forwarder; its response is counted by ``responded``.
    @inline(__always)
    func forwarded(_ transport: QueryTransport, type: UInt16) {
        add(1, at: Layout.requests + transport.rawValue * QueryTypeBucket.count + QueryTypeBucket.index(type))
    }

    /// Counts a response by rcode and the time from the query's arrival to it.
    @inline(__always)
    func responded(rcode: Int, nanoseconds: UInt64) {
        add(1, at: Layout.rcodes + min(max(rcode, 0), Layout.rcodeCount - 1))
        record(nanoseconds, at: Layout.duration)
    }

    /// Counts the time an upstream took to answer a forwarded query (all attempts).
    func upstreamAnswered(nanoseconds: UInt64) {
        record(nanoseconds, at: Layout.forward)
    }

    @inline(__always)
    private func record(_ nanoseconds: UInt64, at base: Int) {
        let value = Int(truncatingIfNeeded: nanoseconds)
        add(1, at: base + DurationBuckets.index(value))
        add(value, at: base + Layout.sumOffset)
    }

    /// True the first time this thread sees an error of this description.
    func firstReport(of description: String) -> Bool {
        reportedErrors.withLock { $0.insert(description).inserted }
    }

    /// A copy of the counters, from any thread.
    var current: QueryStatistics {
        var result = QueryStatistics()
        for type in 0..<QueryTypeBucket.count {
            result.udpRequests[type] = value(at: Layout.requests + type)
            result.tcpRequests[type] = value(at: Layout.requests + QueryTypeBucket.count + type)
        }
        for rcode in 0..<Layout.rcodeCount { result.rcodes[rcode] = value(at: Layout.rcodes + rcode) }
        result.duration = histogram(at: Layout.duration)
        result.forwardDuration = histogram(at: Layout.forward)
        return result
    }

    private func histogram(at base: Int) -> HistogramCounts {
        var counts = HistogramCounts()
        for bucket in 0...DurationBuckets.count { counts.buckets[bucket] = value(at: base + bucket) }
        counts.sumNanoseconds = value(at: base + Layout.sumOffset)
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
