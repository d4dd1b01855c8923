import DNSWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension ZoneSnapshot {
    /// The shard holding `name` (lower-case wire bytes) and its entry number there, or nil.
    @inline(__always)
    func find(_ name: UnsafeRawBufferPointer) -> (shard: ZoneShard, entry: Int)? {
        let hash = NameTable.hash(name)
        let shard = shards[Self.shardIndex(hash: hash, mask: shardMask)]
        guard let entry = shard.table.find(name, hash: hash) else { return nil }
        return (shard, entry)
    }

    /// Whether `name` has answers of its own here.
    func contains(_ name: DNSName) -> Bool {
        name.wire.withUnsafeBytes { find($0) != nil }
    }

    /// The zone a name not in the table falls in: the longest apex it ends with.
    func zone(of name: UnsafeRawBufferPointer) -> Int? {
        var offset = 0
        while offset < name.count {
            let remaining = name.count - offset
            for (index, zone) in zones.enumerated() where zone.apex.count == remaining {
                let equal = zone.apex.withUnsafeBytes { memcmp($0.baseAddress!, name.baseAddress! + offset, remaining) == 0 }
                if equal { return index }
            }
            offset += Int(name[offset]) + 1
        }
        return nil
    }

    /// `<a-b-c-d>.<ns>.pod.<zone>` (or the dashed IPv6 form) when `<ns>` exists: the address.
    func podAddress(_ name: UnsafeRawBufferPointer) -> PodAddress? {
        let length = Int(name[0])
        guard length > 0, length <= 45 else { return nil }
        let parent = UnsafeRawBufferPointer(rebasing: name[(length + 1)...])
        guard let (shard, index) = find(parent), shard.entries[index].flags & NameEntry.podNamespace != 0 else {
            return nil
        }
        return PodAddress(dashed: UnsafeRawBufferPointer(rebasing: name[1...length]))
    }
}

/// An address parsed from a pod name's dashed label, without allocating.
struct PodAddress {
    var bytes: (UInt64, UInt64) = (0, 0)
    var isIPv4: Bool

    init?(dashed label: UnsafeRawBufferPointer) {
        let dashes = label.reduce(0) { $0 + ($1 == UInt8(ascii: "-") ? 1 : 0) }
        let digitsOnly = label.allSatisfy { $0 == UInt8(ascii: "-") || ($0 >= 0x30 && $0 <= 0x39) }
        isIPv4 = dashes == 3 && digitsOnly
        let separator = UInt8(ascii: isIPv4 ? "." : ":")
        let parsed = withUnsafeTemporaryAllocation(of: CChar.self, capacity: label.count + 1) { text in
            for (index, byte) in label.enumerated() {
                text[index] = CChar(bitPattern: byte == UInt8(ascii: "-") ? separator : byte)
            }
            text[label.count] = 0
            return withUnsafeMutableBytes(of: &bytes) { raw in
                inet_pton(isIPv4 ? AF_INET : AF_INET6, text.baseAddress!, raw.baseAddress!) == 1
            }
        }
        guard parsed else { return nil }
    }
}
