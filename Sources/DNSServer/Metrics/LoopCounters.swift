import NIOCore

/// One ``QueryCounters`` per event loop and per UDP worker, and the sum of all of them.
final class LoopCounters: Sendable {
    private let loops: [ObjectIdentifier: QueryCounters]
    /// Worker `i`'s counters are `workers[i]`.
    let workers: [QueryCounters]

    init(group: any EventLoopGroup, workers: Int) {
        var loops: [ObjectIdentifier: QueryCounters] = [:]
        for loop in group.makeIterator() {
            loops[ObjectIdentifier(loop)] = QueryCounters()
        }
        self.loops = loops
        self.workers = (0..<workers).map { _ in QueryCounters() }
    }

    /// The counters of `loop`; only that loop writes them.
    func counters(for loop: any EventLoop) -> QueryCounters {
        loops[ObjectIdentifier(loop)]!
    }

    /// Every loop's and worker's counters added up, read while they count.
    func statistics() -> QueryStatistics {
        (Array(loops.values) + workers).reduce(QueryStatistics()) { $0 + $1.current }
    }
}
