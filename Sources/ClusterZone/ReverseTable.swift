#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import DNSWire

/// The PTR answers of the cluster's addresses (SPEC.md section 3), by address rather than by
/// name: `<d>.<c>.<b>.<a>.in-addr.arpa` or 32-nibble `ip6.arpa` leaves, one record each for
/// nearly all, were 199,000 of the 684,000 names at N = 100,000, each a name in the model and
/// one in the shards. Here each is its address and its answer's bytes: the cold start's peak
/// RSS went from 496-507 to 475-484 MB (alternating runs). The names above them (`<c>.<b>.<a>.in-addr.arpa`, ...) stay in the shards,
/// so a prefix of known addresses is NODATA, not NXDOMAIN. Sharded by address: a change
/// rebuilds the one shard its address falls in.
struct ReverseTable: Sendable {
    let shards: [ReverseShard]
    let count: Int

    /// 1,024 shards, some 220 addresses each at N = 100,000: with 256, rebuilding the shard of
    /// one changed address was the larger part of a write's snapshot (in a churn at 100
    /// writes/s, 2 alternating runs: this step's median 0.39 / 0.38 against 0.23 / 0.22 ms,
    /// the whole build's 0.86 / 0.77 against 0.65 / 0.61 ms).
    static let shardBits = 10
    static let shardCount = 1 << shardBits
    static let empty = ReverseTable(shards: [], count: 0)

    var byteCount: Int { shards.reduce(0) { $0 + $1.byteCount } }

    @inline(__always)
    static func shard(of address: ClientAddress) -> Int {
        address.shard(bits: shardBits)
    }

    /// The address `name` (lower-case wire bytes) is the reverse name of, and where its PTR
    /// answer is; nil when it is no address we hold.
    @inline(__always)
    func find(_ name: UnsafeRawBufferPointer) -> (shard: ReverseShard, entry: Int)? {
        guard count > 0, let address = Self.address(reversed: name) else { return nil }
        let shard = shards[Self.shard(of: address)]
        guard let entry = shard.index(of: address) else { return nil }
        return (shard, entry)
    }

    private static let ipv4Suffix: [UInt8] = ReverseName.ipv4Zone.wire
    private static let ipv6Suffix: [UInt8] = ReverseName.ipv6Zone.wire

    /// The address of a reverse name in canonical form: four decimal labels without leading
    /// zeros under `in-addr.arpa`, or 32 single hex digits under `ip6.arpa`. Any other
    /// spelling is no name we made, as the model never held it either. The key is made as
    /// ``ClientAddress/init(exactly:)`` makes it, with no IPv4-mapped folding: `::ffff:a.b.c.d` is its own name.
    static func address(reversed name: UnsafeRawBufferPointer) -> ClientAddress? {
        if name.count == 64 + ipv6Suffix.count {
            return ipv6Address(name)
        }
        guard name.count >= 8 + ipv4Suffix.count, name.count <= 16 + ipv4Suffix.count else { return nil }
        var bits: UInt32 = 0
        var offset = 0
        for octet in 0..<4 {
            let length = Int(name[offset])
            guard length >= 1, length <= 3, offset + 1 + length < name.count else { return nil }
            var value = 0
            for index in (offset + 1)...(offset + length) {
                let digit = Int(name[index]) - 0x30
                guard digit >= 0, digit <= 9 else { return nil }
                value = value * 10 + digit
            }
            guard value <= 255, length == 1 || name[offset + 1] != 0x30 else { return nil }
            // The first label is the last octet: stored bits hold the first octet lowest.
            bits |= UInt32(value) << (8 * (3 - octet))
            offset += length + 1
        }
        guard name.count - offset == ipv4Suffix.count, suffix(name, from: offset, is: ipv4Suffix) else { return nil }
        return ClientAddress(high: UInt64(bits), low: 0, isIPv4: true)
    }

    private static func ipv6Address(_ name: UnsafeRawBufferPointer) -> ClientAddress? {
        guard suffix(name, from: 64, is: ipv6Suffix) else { return nil }
        var pair: (UInt64, UInt64) = (0, 0)
        let parsed = withUnsafeMutableBytes(of: &pair) { bytes -> Bool in
            for nibble in 0..<32 {
                guard name[nibble * 2] == 1 else { return false }
                let character = name[nibble * 2 + 1]
                let value: UInt8
                switch character {
                case 0x30...0x39: value = character - 0x30
                case 0x61...0x66: value = character - 0x61 + 10
                default: return false
                }
                // The first label is the low nibble of the last byte.
                let byte = 15 - nibble / 2
                bytes[byte] |= nibble % 2 == 0 ? value : value << 4
            }
            return true
        }
        guard parsed else { return nil }
        return ClientAddress(high: pair.0, low: pair.1, isIPv4: false)
    }

    @inline(__always)
    private static func suffix(_ name: UnsafeRawBufferPointer, from offset: Int, is suffix: [UInt8]) -> Bool {
        suffix.withUnsafeBytes { suffix in
            name.count - offset == suffix.count && memcmp(name.baseAddress! + offset, suffix.baseAddress!, suffix.count) == 0
        }
    }
}

/// One shard of a ``ReverseTable``: its addresses in order (the array the engine's index holds,
/// shared), each with its answer section (every PTR record of the address, owned by a pointer
/// to the question) in `bytes`.
struct ReverseShard: Sendable {
    let addresses: [ClientAddress]
    /// Where each address's records end in `bytes`; they start where the previous one's end.
    private(set) var ends: [UInt32] = []
    private(set) var counts: [UInt16] = []
    private(set) var bytes: [UInt8] = []

    init() {
        addresses = []
    }

    /// A shard of these addresses, whose answers are appended next, in their order.
    init(addresses: [ClientAddress]) {
        self.addresses = addresses
        ends.reserveCapacity(addresses.count)
        counts.reserveCapacity(addresses.count)
    }

    init?(addresses: [ClientAddress], ends: [UInt32], counts: [UInt16], bytes: [UInt8]) {
        guard ends.count == addresses.count, counts.count == addresses.count,
            zip(ends, ends.dropFirst()).allSatisfy({ $0 <= $1 }), (ends.last ?? 0) == UInt32(bytes.count),
            addresses.isStrictlySorted
        else { return nil }
        (self.addresses, self.ends, self.counts, self.bytes) = (addresses, ends, counts, bytes)
    }

    var count: Int { addresses.count }

    var byteCount: Int {
        addresses.capacity * MemoryLayout<ClientAddress>.stride + ends.capacity * 4 + counts.capacity * 2 + bytes.capacity
    }

    mutating func reserve(bytes byteCount: Int) {
        bytes.reserveCapacity(byteCount)
    }

    /// Appends the records' bytes of the next address.
    mutating func append(records: Int, bytes recordBytes: [UInt8]) {
        precondition(ends.count < addresses.count, "more answers than addresses")
        bytes += recordBytes
        ends.append(UInt32(bytes.count))
        // Past 65,535 records the set is over 64 KB, too large for any message: sent truncated.
        counts.append(UInt16(clamping: records))
    }

    func records(_ entry: Int) -> (range: Range<Int>, count: Int) {
        let start = entry == 0 ? 0 : Int(ends[entry - 1])
        return (start..<Int(ends[entry]), Int(counts[entry]))
    }

    /// How many addresses are new, gone or answered otherwise than in `old`.
    func difference(from old: ReverseShard) -> Int {
        var (mine, theirs, different) = (0, 0, 0)
        while mine < count || theirs < old.count {
            if theirs == old.count || (mine < count && addresses[mine] < old.addresses[theirs]) {
                mine += 1
            } else if mine == count || old.addresses[theirs] < addresses[mine] {
                theirs += 1
            } else {
                let changed = bytes[records(mine).range] != old.bytes[old.records(theirs).range]
                (mine, theirs, different) = (mine + 1, theirs + 1, different + (changed ? 1 : 0))
                continue
            }
            different += 1
        }
        return different
    }

    @inline(__always)
    func index(of address: ClientAddress) -> Int? {
        addresses.sortedIndex(of: address)
    }
}
