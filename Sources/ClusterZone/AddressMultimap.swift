/// Values that objects give addresses, a multiset per address (two objects may give one
/// address the same value: a pod in two headless services), sharded by address and kept as
/// sorted arrays. Changes are queued as they come and merged into their shard when taken, so a
/// write costs a pass over the shards it touched. Dictionaries per shard held the reverse
/// names' targets and autopath's claims at ~110 bytes an address: at N = 100,000, with their
/// power-of-two tables half empty, 21 and 15 MB; as arrays, an address costs its 24 bytes,
/// one end and its values.
struct AddressMultimap<Value: Comparable & Sendable>: Sendable {
    struct Shard: Sendable {
        /// In ``ClientAddress`` order.
        private(set) var addresses: [ClientAddress] = []
        /// Where each address's values end in `values`; they start where the previous one's end.
        private(set) var ends: [UInt32] = []
        /// Each address's values in order, a value given by n objects n times.
        private(set) var values: [Value] = []

        var count: Int { addresses.count }

        func values(_ entry: Int) -> ArraySlice<Value> {
            values[(entry == 0 ? 0 : Int(ends[entry - 1]))..<Int(ends[entry])]
        }

        /// `old` with `changes` applied in the order they came (an address's changes keep
        /// theirs: taking away a value no object gave does nothing, as before its add).
        fileprivate init(_ old: Shard, applying changes: [Change]) {
            let order = changes.indices.sorted {
                changes[$0].address != changes[$1].address ? changes[$0].address < changes[$1].address : $0 < $1
            }
            addresses.reserveCapacity(old.count + changes.count)
            ends.reserveCapacity(old.count + changes.count)
            values.reserveCapacity(old.values.count + changes.count)
            var entry = 0
            var next = 0
            while next < order.count {
                let address = changes[order[next]].address
                while entry < old.count, old.addresses[entry] < address {
                    append(old.addresses[entry], old.values(entry))
                    entry += 1
                }
                // The address's values go at the end of `values` and are changed there.
                let start = values.count
                if entry < old.count, old.addresses[entry] == address {
                    values += old.values(entry)
                    entry += 1
                }
                while next < order.count, changes[order[next]].address == address {
                    let change = changes[order[next]]
                    if change.adding {
                        let after = values[start...].firstIndex { change.value < $0 } ?? values.endIndex
                        values.insert(change.value, at: after)
                    } else if let given = values[start...].firstIndex(of: change.value) {
                        values.remove(at: given)
                    }
                    next += 1
                }
                if values.count > start {
                    addresses.append(address)
                    ends.append(UInt32(values.count))
                }
            }
            while entry < old.count {
                append(old.addresses[entry], old.values(entry))
                entry += 1
            }
            // Sized for every change adding an address; a shard lives as long as the engine.
            addresses = addresses.trimmed()
            ends = ends.trimmed()
            values = values.trimmed()
        }

        init() {}

        private mutating func append(_ address: ClientAddress, _ given: ArraySlice<Value>) {
            addresses.append(address)
            values += given
            ends.append(UInt32(values.count))
        }
    }

    fileprivate struct Change: Sendable {
        var address: ClientAddress
        var value: Value
        var adding: Bool
    }

    private(set) var shards: [Shard]
    private var pending: [[Change]]
    /// Shards with changes pending, each once.
    private var changed: [Int] = []
    let shardBits: Int

    init(shardBits: Int) {
        self.shardBits = shardBits
        shards = Array(repeating: Shard(), count: 1 << shardBits)
        pending = Array(repeating: [], count: 1 << shardBits)
    }

    var hasChanges: Bool { !changed.isEmpty }

    mutating func change(_ address: ClientAddress, _ value: Value, adding: Bool) {
        let shard = address.shard(bits: shardBits)
        if pending[shard].isEmpty { changed.append(shard) }
        pending[shard].append(Change(address: address, value: value, adding: adding))
    }

    /// Applies the changes queued; returns the shards they were in, in order, and how many
    /// changes there were. A whole list's shards are merged on every core: one after the
    /// other, the reverse names' merge and shards were the last 0.14 s of a cold start at
    /// N = 100,000, with one core idle (perf).
    mutating func merge() -> (shards: [Int], changes: Int) {
        let merged = changed.sorted()
        // The merged shards alone are handed to the workers: captured whole, the arrays of
        // every shard would be copied when the first is replaced, on each write.
        let inputs = merged.map { (shards[$0], pending[$0]) }
        let changes = inputs.reduce(0) { $0 + $1.1.count }
        let rebuilt = parallelMap(count: merged.count, workers: Self.workers(forChanges: changes)) { offset in
            Shard(inputs[offset].0, applying: inputs[offset].1)
        }
        for (offset, shard) in merged.enumerated() {
            shards[shard] = rebuilt[offset]
            pending[shard] = []
        }
        changed = []
        return (merged, changes)
    }

    /// Threads for work on the shards `changes` changes touched: every core for a whole list's,
    /// one for a write's few (a thread's start would cost more than it saves).
    static func workers(forChanges changes: Int) -> Int {
        changes >= 10_000 ? ParallelWork.cores : 1
    }
}

extension ClientAddress: Comparable {
    /// By bits, an IPv6 address before the IPv4 one with the same bits: the order the sorted
    /// tables keyed by address search in.
    @inline(__always)
    public static func < (left: ClientAddress, right: ClientAddress) -> Bool {
        if left.high != right.high { return left.high < right.high }
        if left.low != right.low { return left.low < right.low }
        return !left.isIPv4 && right.isIPv4
    }

    /// The shard of `1 << bits` this address falls in, in every table sharded by address.
    @inline(__always)
    func shard(bits: Int) -> Int {
        Int(truncatingIfNeeded: ((high ^ low ^ (isIPv4 ? 1 : 0)) &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - bits))
    }
}

extension Array where Element == ClientAddress {
    /// The index of `address` in this sorted array, by binary search.
    @inline(__always)
    func sortedIndex(of address: ClientAddress) -> Int? {
        withUnsafeBufferPointer { addresses in
            var low = 0
            var high = addresses.count
            while low < high {
                let middle = (low + high) / 2
                if addresses[middle] < address { low = middle + 1 } else { high = middle }
            }
            return low < addresses.count && addresses[low] == address ? low : nil
        }
    }

    /// Every address in order, each once.
    var isStrictlySorted: Bool {
        zip(self, dropFirst()).allSatisfy { $0 < $1 }
    }
}
