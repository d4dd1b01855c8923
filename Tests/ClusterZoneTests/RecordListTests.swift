@testable import ClusterZone
import DNSWire
import Testing

/// A name's record list against a plain array: the same records in the same order under
/// seeded random appends, joins and removals of the first equal record (a multiset, as two
/// objects may give one record), through the one-record and many-record forms.
@Suite("Record list")
struct RecordListTests {
    @Test(arguments: [1, 2, 3])
    func behavesLikeAnArray(seed: UInt64) throws {
        var random = SplitMix(seed: seed)
        let owner = try DNSName("web.default.svc.cluster.local")
        let records = (0..<5).map { Record(owner: owner, ttl: 5, data: .a(AddressBytes([10, 0, 0, UInt8($0)]))) }
        var list = RecordList()
        var expected: [Record] = []
        for step in 0..<20_000 {
            let record = records[Int.random(in: 0..<records.count, using: &random)]
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<4 where expected.count < 6:
                list.append(record)
                expected.append(record)
            case 4:
                var other = RecordList()
                other.append(record)
                list.append(contentsOf: other)
                expected.append(record)
            default:
                let index = expected.firstIndex(of: record)
                if let index { expected.remove(at: index) }
                #expect(list.removeFirst(record) == (index != nil), "step \(step)")
            }
            #expect(Array(list) == expected, "step \(step)")
            #expect(list.count == expected.count && list.isEmpty == expected.isEmpty, "step \(step)")
        }
    }
}
