/// An open-addressing hash table from lower-cased wire names to entry numbers, with every name
/// kept in one byte arena, so a lookup hashes and compares raw bytes and allocates nothing.
struct NameTable: Sendable {
    private(set) var slots: [Int32]
    private var mask: Int
    private(set) var arena: [UInt8] = []
    private(set) var starts: [UInt32] = []
    private(set) var lengths: [UInt8] = []

    init(capacity: Int, arenaCapacity: Int = 0) {
        (slots, mask) = Self.slots(for: capacity)
        starts.reserveCapacity(capacity)
        lengths.reserveCapacity(capacity)
        arena.reserveCapacity(arenaCapacity)
    }

    /// `old`'s names, the same entry numbers, with room for `capacity` names in all, `extra` of
    /// them appended after `old`'s. While the slot count stays, the slots are copied: placing
    /// every live name again was 43 % of the CPU of a build after one write at N = 100,000
    /// (perf), as each such build touches a few shards of some 1,300 names. Names are taken
    /// out afterwards, one by one (``remove(_:)``).
    init(rebuilding old: NameTable, capacity: Int, extra: Int) {
        arena.reserveCapacity(old.arena.count + extra * Self.bytesPerName)
        arena += old.arena
        starts.reserveCapacity(old.starts.count + extra)
        starts += old.starts
        lengths.reserveCapacity(old.lengths.count + extra)
        lengths += old.lengths
        guard Self.slotCount(for: capacity) != old.slots.count else {
            (slots, mask) = (old.slots, old.mask)
            return
        }
        (slots, mask) = Self.slots(for: capacity)
        for entry in old.slots where entry >= 0 { place(Int(entry), hash: hash(of: Int(entry))) }
    }

    /// A table saved before (``SnapshotFile``), or nil when its parts do not fit together: every
    /// slot names an entry, every entry's name lies in the arena, and the slot count is a power of two.
    init?(slots: [Int32], arena: [UInt8], starts: [UInt32], lengths: [UInt8]) {
        guard slots.count >= 16, slots.count.nonzeroBitCount == 1, starts.count == lengths.count,
            slots.allSatisfy({ $0 < starts.count }),
            starts.indices.allSatisfy({ Int(starts[$0]) + Int(lengths[$0]) + 1 <= arena.count })
        else { return nil }
        self.slots = slots
        self.mask = slots.count - 1
        self.arena = arena
        self.starts = starts
        self.lengths = lengths
    }

    /// Empty slots for `capacity` names at most half full, and the mask of their count.
    private static func slots(for capacity: Int) -> ([Int32], Int) {
        let size = slotCount(for: capacity)
        return (Array(repeating: -1, count: size), size - 1)
    }

    /// A power of two at least 16 and twice `capacity`: open-addressing tables here stay at
    /// most half full, so a probe meets an empty slot soon.
    static func slotCount(for capacity: Int) -> Int {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        return size
    }

    private mutating func place(_ entry: Int, hash: Int) {
        var slot = hash & mask
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(entry)
    }

    /// Takes `entry` out of the slots, moving later names of its probe run back into the hole
    /// (each name stays reachable from its home slot with no empty slot between).
    mutating func remove(_ entry: Int) {
        var hole = hash(of: entry) & mask
        while slots[hole] != Int32(entry) {
            precondition(slots[hole] >= 0, "entry \(entry) is not in the table")
            hole = (hole + 1) & mask
        }
        var next = (hole + 1) & mask
        while slots[next] >= 0 {
            let home = hash(of: Int(slots[next])) & mask
            // It may fill the hole unless its home lies after the hole in the run.
            if (next &- home) & mask >= (next &- hole) & mask {
                slots[hole] = slots[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        slots[hole] = -1
    }

    private func hash(of entry: Int) -> Int {
        let start = Int(starts[entry])
        return arena.withUnsafeBytes { Self.hash(UnsafeRawBufferPointer(rebasing: $0[start...(start + Int(lengths[entry]))])) }
    }

    /// Arena room reserved per name to come (a cluster name's wire form is about this long).
    static let bytesPerName = 48

    /// The same table with no unused room in its growing arrays (see `Array.trimmed`).
    func trimmed() -> NameTable {
        var table = self
        table.arena = arena.trimmed()
        table.starts = starts.trimmed()
        table.lengths = lengths.trimmed()
        return table
    }

    var count: Int { starts.count }
    var arenaCount: Int { arena.count }

    var byteCount: Int { slots.capacity * 4 + arena.capacity + starts.capacity * 4 + lengths.capacity }

    var slotCount: Int { slots.count }

    /// Twice the slots, for more names than the table was made for (a build that learns how
    /// many names it compiles as it goes).
    mutating func grow() {
        let old = slots
        (slots, mask) = Self.slots(for: old.count)
        for entry in old where entry >= 0 { place(Int(entry), hash: hash(of: Int(entry))) }
    }

    /// Room for `names` more names and their `arenaBytes`, with slots grown at once for them
    /// beside the `live` names the table holds.
    mutating func reserve(names: Int, arenaBytes: Int, live: Int) {
        starts.reserveCapacity(starts.count + names)
        lengths.reserveCapacity(lengths.count + names)
        arena.reserveCapacity(arena.count + arenaBytes)
        while (live + names) * 2 > slots.count { grow() }
    }

    /// Inserts a name that is not in the table yet; returns its entry number.
    mutating func insert(_ wire: ArraySlice<UInt8>) -> Int {
        let entry = starts.count
        starts.append(UInt32(arena.count))
        lengths.append(UInt8(wire.count - 1))
        arena += wire
        place(entry, hash: wire.withUnsafeBytes { Self.hash($0) })
        return entry
    }

    /// The wire bytes of entry `index`.
    func name(_ index: Int) -> ArraySlice<UInt8> {
        let start = Int(starts[index])
        return arena[start..<(start + Int(lengths[index]) + 1)]
    }

    /// The entry number of `name` (lower-case wire bytes) whose ``hash(_:)`` is `hash`, or nil.
    @inline(__always)
    func find(_ name: UnsafeRawBufferPointer, hash: Int) -> Int? {
        var slot = hash & mask
        return slots.withUnsafeBufferPointer { slots in
            arena.withUnsafeBytes { arena in
                starts.withUnsafeBufferPointer { starts in
                    lengths.withUnsafeBufferPointer { lengths in
                        while true {
                            let entry = Int(slots[slot])
                            if entry < 0 { return nil }
                            let length = Int(lengths[entry]) + 1
                            if length == name.count,
                                memcmp(arena.baseAddress! + Int(starts[entry]), name.baseAddress!, length) == 0
                            {
                                return entry
                            }
                            slot = (slot + 1) & mask
                        }
                    }
                }
            }
        }
    }

    /// FNV-1a: short keys, no setup cost, good enough spread for DNS names.
    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return Int(truncatingIfNeeded: hash ^ (hash >> 32))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
