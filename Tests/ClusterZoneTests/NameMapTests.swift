@testable import ClusterZone
import DNSWire
import Testing

/// The model's name table against the standard dictionary, under seeded random inserts,
/// changes in place, removals and lookups: few distinct names, so removals hit often and runs
/// of slots are shifted back across the end of the slot array.
@Suite("Name map")
struct NameMapTests {
    @Test(arguments: [1, 2, 3, 4])
    func behavesLikeADictionary(seed: UInt64) throws {
        var random = SplitMix(seed: seed)
        let names = try (0..<600).map { try DNSName("name-\($0).ns-\($0 % 7).svc.cluster.local") }
        var map = NameMap<Int>()
        var expected: [DNSName: Int] = [:]
        if seed == 4 { map.reserveCapacity(300) }
        for step in 0..<40_000 {
            let name = names[Int.random(in: 0..<(step < 20_000 ? 600 : 40), using: &random)]
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<4:
                map[name, default: 0] += step
                expected[name, default: 0] += step
            case 4..<7:
                #expect(map.removeValue(forKey: name) == expected.removeValue(forKey: name), "step \(step)")
            default:
                #expect(map[name] == expected[name], "step \(step)")
            }
        }
        #expect(map.count == expected.count)
        #expect(Set(map.keys) == Set(expected.keys))
        for (name, value) in zip(map.keys, map.values) { #expect(expected[name] == value) }
        for name in names { #expect(map[name] == expected[name]) }
    }

    /// Names whose hashes share their slot bits still find their own values after the others
    /// around them are removed.
    @Test func removalsKeepEveryOtherNameFindable() throws {
        var map = NameMap<String>()
        let names = try (0..<5000).map { try DNSName("n\($0).cluster.local") }
        for name in names { map[name, default: ""] = name.description }
        for (index, name) in names.enumerated() where index % 3 == 0 { map.removeValue(forKey: name) }
        for (index, name) in names.enumerated() {
            #expect(map[name] == (index % 3 == 0 ? nil : name.description))
        }
        #expect(map.count == 5000 - 1667)
    }
}
