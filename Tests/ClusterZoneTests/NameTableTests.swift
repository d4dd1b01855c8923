@testable import ClusterZone
import DNSWire
import Testing

/// A shard's name table carried from build to build as a write's builds carry it: its slots
/// copied while the slot count stays and placed anew when it changes, then names taken out and
/// appended again. Every live name must be found at its latest entry, every other one not at all.
@Suite("Name table")
struct NameTableTests {
    @Test(arguments: [1, 2, 3])
    func removalsAndAppendsKeepEveryLiveNameFound(seed: UInt64) throws {
        var random = SplitMix(seed: seed)
        // Few slots for many names: long probe runs, which wrap around the end of the slots.
        let names = try (0..<400).map { try DNSName("host-\($0).web.ns-\($0 % 5).svc.cluster.local").wire }
        var table = NameTable(capacity: 200)
        var live: [Int: Int] = [:]  // name number -> entry
        for number in 0..<200 { live[number] = table.insert(names[number][...]) }
        var sawCopy = false, sawRebuild = false
        for round in 0..<300 {
            let removing = live.keys.shuffled(using: &random).prefix(Int.random(in: 0...12, using: &random))
                .map { live.removeValue(forKey: $0)! }
            let added = (0..<Int.random(in: 0...14, using: &random)).map { _ in Int.random(in: 0..<400, using: &random) }
                .filter { live[$0] == nil }
            let unique = Array(Set(added)).sorted()
            let capacity = live.count + unique.count
            let slotsBefore = table.slots.count
            table = NameTable(rebuilding: table, capacity: capacity + removing.count, extra: unique.count)
            if table.slots.count == slotsBefore { sawCopy = true } else { sawRebuild = true }
            for entry in removing { table.remove(entry) }
            for number in unique { live[number] = table.insert(names[number][...]) }
            for (number, wire) in names.enumerated() {
                let found = wire.withUnsafeBytes { table.find($0, hash: NameTable.hash($0)) }
                #expect(found == live[number], "round \(round), name \(number)")
            }
            #expect(table.slots.filter { $0 >= 0 }.count == live.count, "round \(round)")
        }
        #expect(sawCopy && sawRebuild)
    }
}
