@testable import ClusterZone
import Testing

/// Each worker fills its own stretch of the result: every index once, in order, whatever the
/// split (fewer indices than workers, counts that do not divide evenly).
@Suite("Parallel map")
struct ParallelMapTests {
    @Test(arguments: [0, 1, 2, 3, 7, 1000, 100_003])
    func matchesASerialMap(count: Int) {
        for workers in [1, 2, 3, 8] {
            let result = parallelMap(count: count, workers: workers) { index in "\(index * 7 % 13)-\(index)" }
            #expect(result == (0..<count).map { "\($0 * 7 % 13)-\($0)" }, "count \(count), workers \(workers)")
        }
    }
}
