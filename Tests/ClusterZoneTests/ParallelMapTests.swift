@testable import ClusterZone
import Synchronization
import Testing

/// Threads take blocks of indices as they come: every index once, in order, whatever the
/// split (fewer indices than workers, counts that do not divide evenly), and whenever the
/// caller joins in.
@Suite("Parallel map")
struct ParallelMapTests {
    @Test(arguments: [0, 1, 2, 3, 7, 1000, 100_003])
    func matchesASerialMap(count: Int) {
        for workers in [1, 2, 3, 8] {
            let result = parallelMap(count: count, workers: workers) { index in "\(index * 7 % 13)-\(index)" }
            #expect(result == (0..<count).map { "\($0 * 7 % 13)-\($0)" }, "count \(count), workers \(workers)")
        }
    }

    /// The engine starts the next chunk's map, applies the chunk before, then finishes it.
    @Test(arguments: [0, 1, 2])
    func aMapFinishedAfterOtherWorkHasEveryResult(helpers: Int) async throws {
        let map = SharedMap(count: 20_000, helpers: helpers) { index in [index, index * 3] }
        try await Task.sleep(for: .milliseconds(20))
        #expect(map.finish() == (0..<20_000).map { [$0, $0 * 3] })
    }

    @Test func aMapNeverFinishedReleasesWhatItMade() {
        let counter = Counter()
        do {
            _ = SharedMap(count: 5_000, helpers: 2) { _ in Tracked(counter) }
        }
        #expect(counter.released.load(ordering: .relaxed) == 5_000)
    }

    @Test func releasesFreeTheArraysTheyTakeByTheirWait() {
        let counter = Counter()
        let releases = Releases()
        var arrays = (0..<3).map { _ in (0..<1_000).map { _ in Tracked(counter) } }
        for index in arrays.indices { releases.release(&arrays[index]) }
        #expect(arrays.allSatisfy { $0.isEmpty })
        releases.wait()
        #expect(counter.released.load(ordering: .relaxed) == 3_000)
    }

    final class Counter: Sendable {
        let released = Atomic<Int>(0)
    }

    final class Tracked: Sendable {
        let counter: Counter
        init(_ counter: Counter) { self.counter = counter }
        deinit { counter.released.wrappingAdd(1, ordering: .relaxed) }
    }
}
