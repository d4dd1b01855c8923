import DNSWire

/// The PTR records objects give, by address, kept up to date object by object, and the
/// ``ReverseTable`` made from them: each snapshot rebuilds the shards whose addresses changed
/// and shares the others. A multiset, as two objects may point one address at the same name
/// (a pod in two headless services); the answer holds each name once, in name order.
struct ReverseIndex {
    private var shards = [[ClientAddress: CountedSet<DNSName>]](repeating: [:], count: ReverseTable.shardCount)
    private var dirty = [Bool](repeating: false, count: ReverseTable.shardCount)
    private var dirtyCount = 0
    private var table = ReverseTable.empty
    private let ttl: UInt32

    init(ttl: UInt32) {
        self.ttl = ttl
    }

    var hasChanges: Bool { dirtyCount > 0 }

    mutating func apply(_ address: IPAddressBytes, target: DNSName, adding: Bool) {
        guard let key = ClientAddress(exactly: address) else { return }
        let shard = ReverseTable.shard(of: key)
        if adding {
            shards[shard][key, default: CountedSet()].add(target)
        } else {
            guard var pointers = shards[shard][key], pointers.remove(target) else { return }
            shards[shard][key] = pointers.isEmpty ? nil : pointers
        }
        if !dirty[shard] {
            dirty[shard] = true
            dirtyCount += 1
        }
    }

    /// The table as the index now is, and how many addresses' answers it changed: what the
    /// change cost, as the other names of a shard are copied, not compiled.
    mutating func take() -> (table: ReverseTable, changes: Int) {
        guard dirtyCount > 0 else { return (table, 0) }
        var changes = 0
        var built = table.shards.isEmpty ? Array(repeating: ReverseShard(), count: ReverseTable.shardCount) : table.shards
        var count = table.count
        for index in dirty.indices where dirty[index] {
            let rebuilt = Self.shard(shards[index], ttl: ttl)
            changes += rebuilt.difference(from: built[index])
            count += rebuilt.count - built[index].count
            built[index] = rebuilt
            dirty[index] = false
        }
        dirtyCount = 0
        table = ReverseTable(shards: built, count: count)
        return (table, changes)
    }

    /// A record's bytes before its target: owner pointer, type, class, TTL, RDLENGTH.
    private static let fixedLength = 12

    private static func shard(_ pointers: [ClientAddress: CountedSet<DNSName>], ttl: UInt32) -> ReverseShard {
        let sorted = pointers.sorted { ReverseShard.precedes($0.key, $1.key) }
        var shard = ReverseShard()
        shard.reserve(
            addresses: sorted.count,
            bytes: sorted.reduce(0) { total, entry in entry.value.reduce(total) { $0 + Self.fixedLength + $1.wire.count } })
        var record: [UInt8] = []
        for (address, pointers) in sorted {
            record.removeAll(keepingCapacity: true)
            let count = pointers.reduce(0) { count, target in
                let length = target.wire.count
                // Owned by a pointer to the question (offset 12), type PTR, class IN.
                record += [0xC0, 0x0C, 0x00, 0x0C, 0x00, 0x01]
                record += [UInt8(ttl >> 24), UInt8(truncatingIfNeeded: ttl >> 16), UInt8(truncatingIfNeeded: ttl >> 8), UInt8(truncatingIfNeeded: ttl)]
                record += [UInt8(length >> 8), UInt8(truncatingIfNeeded: length)]
                record += target.wire
                return count + 1
            }
            shard.append(address, records: count, bytes: record)
        }
        return shard
    }
}
