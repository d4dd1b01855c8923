@testable import ClusterZone
import Testing

/// The sorted per-shard multimap against a dictionary of counted values, under seeded random
/// adds and removals (a removal of a value not given among them) merged at random points:
/// few addresses and values, so an address gains, loses and regains values within one merge.
@Suite("Address multimap")
struct AddressMultimapTests {
    @Test(arguments: [1, 2, 3])
    func behavesLikeCountedSetsPerAddress(seed: UInt64) {
        var random = SplitMix(seed: seed)
        let addresses = (0..<300).map { (number: Int) -> ClientAddress in
            let high = UInt64(number % 50) << 32 | UInt64(number)
            return ClientAddress(high: high, low: UInt64(number % 3), isIPv4: number % 4 == 0)
        }
        var map = AddressMultimap<Int32>(shardBits: 3)
        var expected: [ClientAddress: [Int32: Int]] = [:]
        for step in 0..<30_000 {
            let address = addresses[Int.random(in: 0..<(step < 15_000 ? 300 : 20), using: &random)]
            let value = Int32.random(in: 0..<4, using: &random)
            if Int.random(in: 0..<5, using: &random) < 3 {
                map.change(address, value, adding: true)
                expected[address, default: [:]][value, default: 0] += 1
            } else {
                map.change(address, value, adding: false)
                if let count = expected[address]?[value] { expected[address]![value] = count > 1 ? count - 1 : nil }
                if expected[address]?.isEmpty == true { expected[address] = nil }
            }
            guard Int.random(in: 0..<200, using: &random) == 0 || step == 29_999 else { continue }
            let merged = map.merge().shards
            #expect(merged == merged.sorted() && !map.hasChanges)
            var seen = 0
            for (index, shard) in map.shards.enumerated() {
                #expect(shard.addresses.isStrictlySorted)
                for entry in 0..<shard.count {
                    let address = shard.addresses[entry]
                    #expect(address.shard(bits: 3) == index)
                    let values = Array(shard.values(entry))
                    let want = (expected[address] ?? [:]).flatMap { Array(repeating: $0.key, count: $0.value) }.sorted()
                    #expect(values == want, "step \(step) \(address)")
                    #expect(shard.addresses.sortedIndex(of: address) == entry)
                    seen += 1
                }
            }
            #expect(seen == expected.count, "step \(step)")
        }
    }

    @Test func aRemovalBeforeItsAddInOneMergeTakesNothingAway() {
        var map = AddressMultimap<Int32>(shardBits: 2)
        let address = ClientAddress(high: 7, low: 0, isIPv4: true)
        map.change(address, 1, adding: false)
        map.change(address, 1, adding: true)
        _ = map.merge()
        let shard = map.shards[address.shard(bits: 2)]
        #expect(shard.count == 1 && Array(shard.values(0)) == [1])
        // Then removed and added again in one merge: still there, once.
        map.change(address, 1, adding: false)
        map.change(address, 1, adding: true)
        #expect(map.merge() == (shards: [address.shard(bits: 2)], changes: 2))
        #expect(Array(map.shards[address.shard(bits: 2)].values(0)) == [1])
        #expect(map.merge().shards.isEmpty)
    }

    /// A whole list's changes are merged on every core: the shards come out as they do when
    /// the same changes are merged a few at a time, on one.
    @Test func aLargeMergeOnEveryCoreEqualsSmallOnes() {
        var random = SplitMix(seed: 11)
        var whole = AddressMultimap<Int32>(shardBits: 4)
        var piecewise = AddressMultimap<Int32>(shardBits: 4)
        let changes = 3 * 10_000
        for step in 0..<changes {
            let address = ClientAddress(high: 0, low: UInt64.random(in: 0..<4_000, using: &random), isIPv4: true)
            let value = Int32.random(in: 0..<3, using: &random)
            let adding = Int.random(in: 0..<3, using: &random) > 0
            whole.change(address, value, adding: adding)
            piecewise.change(address, value, adding: adding)
            if step % 100 == 99 { #expect(piecewise.merge().changes == 100) }
        }
        #expect(AddressMultimap<Int32>.workers(forChanges: changes) == ParallelWork.cores)
        let merged = whole.merge()
        #expect(merged.changes == changes && merged.shards == Array(0..<16))
        for (mine, theirs) in zip(whole.shards, piecewise.shards) {
            #expect(mine.addresses == theirs.addresses)
            #expect(mine.ends == theirs.ends && mine.values == theirs.values)
        }
    }
}
