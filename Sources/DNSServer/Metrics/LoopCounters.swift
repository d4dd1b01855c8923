import NIOCore

/// One ``QueryCounters`` per event loop, made on that loop, and the sum of all of them.
final class LoopCounters: Sendable {
    private let counters: [ObjectIdentifier: NIOLoopBound<QueryCounters>]

    init(group: any EventLoopGroup) async throws {
        var counters: [ObjectIdentifier: NIOLoopBound<QueryCounters>] = [:]
        for loop in group.makeIterator() {
            counters[ObjectIdentifier(loop)] = try await loop.submit {
                NIOLoopBound(QueryCounters(), eventLoop: loop)
            }.get()
        }
        self.counters = counters
    }

    /// The counters of `loop`; call on that loop.
    func counters(for loop: any EventLoop) -> QueryCounters {
        counters[ObjectIdentifier(loop)]!.value
    }

    /// Every loop's counters added up. Each is copied on its own loop, between two packets,
    /// so the query path never waits for the reader.
    func statistics() async -> QueryStatistics {
        var total = QueryStatistics()
        for bound in counters.values {
            // A loop that is shutting down has nothing more to count.
            if let one = try? await bound.eventLoop.submit({ bound.value.current }).get() {
                total = total + one
            }
        }
        return total
    }
}
