import DNSWire

/// The PTR records objects give, by address, kept up to date object by object, and the
/// ``ReverseTable`` made from them: each snapshot rebuilds the shards whose addresses changed
/// and shares the others. A multiset, as two objects may point one address at the same name
/// (a pod in two headless services); the answer holds each name once, in name order.
struct ReverseIndex {
    private var pointers = AddressMultimap<DNSName>(shardBits: ReverseTable.shardBits)
    private var table = ReverseTable.empty
    private let ttl: UInt32

    init(ttl: UInt32) {
        self.ttl = ttl
    }

    var hasChanges: Bool { pointers.hasChanges }

    mutating func apply(_ address: IPAddressBytes, target: DNSName, adding: Bool) {
        guard let key = ClientAddress(exactly: address) else { return }
        pointers.change(key, target, adding: adding)
    }

    /// The table as the index now is, and how many addresses' answers it changed: what the
    /// change cost, as the other names of a shard are copied, not compiled.
    mutating func take() -> (table: ReverseTable, changes: Int) {
        let (merged, pointerChanges) = pointers.merge()
        guard !merged.isEmpty else { return (table, 0) }
        var built = table.shards.isEmpty ? Array(repeating: ReverseShard(), count: ReverseTable.shardCount) : table.shards
        let inputs = merged.map { (pointers.shards[$0], built[$0]) }
        let ttl = ttl
        let rebuilt = parallelMap(count: merged.count, workers: AddressMultimap<DNSName>.workers(forChanges: pointerChanges)) {
            let shard = Self.shard(inputs[$0].0, ttl: ttl)
            return (shard, shard.difference(from: inputs[$0].1))
        }
        var changes = 0
        var count = table.count
        for (offset, index) in merged.enumerated() {
            changes += rebuilt[offset].1
            count += rebuilt[offset].0.count - built[index].count
            built[index] = rebuilt[offset].0
        }
        table = ReverseTable(shards: built, count: count)
        return (table, changes)
    }

    /// A record's bytes before its target: owner pointer, type, class, TTL, RDLENGTH.
    private static let fixedLength = 12

    /// The answers of a shard of pointers, which shares its addresses array with them.
    private static func shard(_ pointers: AddressMultimap<DNSName>.Shard, ttl: UInt32) -> ReverseShard {
        var shard = ReverseShard(addresses: pointers.addresses)
        var bytes = 0
        for (offset, target) in pointers.values.enumerated() where offset == 0 || pointers.values[offset - 1] != target {
            bytes += Self.fixedLength + target.wire.count
        }
        shard.reserve(bytes: bytes)
        var record: [UInt8] = []
        for entry in 0..<pointers.count {
            record.removeAll(keepingCapacity: true)
            var count = 0
            var previous: DNSName?
            // Sorted, a name given by several objects comes several times in a row: once here.
            for target in pointers.values(entry) where target != previous {
                previous = target
                let length = target.wire.count
                // Owned by a pointer to the question (offset 12), type PTR, class IN.
                record += [0xC0, 0x0C, 0x00, 0x0C, 0x00, 0x01]
                record += [UInt8(ttl >> 24), UInt8(truncatingIfNeeded: ttl >> 16), UInt8(truncatingIfNeeded: ttl >> 8), UInt8(truncatingIfNeeded: ttl)]
                record += [UInt8(length >> 8), UInt8(truncatingIfNeeded: length)]
                record += target.wire
                count += 1
            }
            shard.append(records: count, bytes: record)
        }
        return shard
    }
}
