import DNSWire

/// The model's table from names to their nodes. Open addressing over slots that hold the upper
/// half of each name's hash beside its entry number; the names and values sit in dense arrays.
/// A probe compares names only where those hash bits agree, so a lookup loads and retains no
/// other name (the standard dictionary retains and compares every key it probes: a tenth of a
/// cold start's CPU at N = 100,000), and growing moves slots without hashing a name again.
/// The hash is the seeded one of `Hasher`, as registry users choose the names.
struct NameMap<Value: Sendable>: Sendable {
    /// 0: empty. Otherwise the hash's upper 32 bits, then the entry number plus one.
    private var slots: [UInt64]
    private var mask: Int
    /// Names in insertion order, but that a removal moves the last one into its place.
    private(set) var keys: [DNSName] = []
    private(set) var values: [Value] = []

    init() {
        (slots, mask) = Self.slots(for: 0)
    }

    var count: Int { keys.count }

    subscript(name: DNSName) -> Value? {
        probe(name, Self.hash(name)).entry.map { values[$0] }
    }

    /// Where `name` is in ``keys`` and ``values``: valid until the next insert or removal.
    func index(of name: DNSName) -> Int? {
        probe(name, Self.hash(name)).entry
    }

    /// The value of `name`, made by `defaultValue` and inserted when it is missing, changed
    /// in place.
    subscript(name: DNSName, default defaultValue: @autoclosure () -> Value) -> Value {
        get { self[name] ?? defaultValue() }
        _modify {
            let entry = entry(for: name, making: defaultValue)
            yield &values[entry]
        }
    }

    @discardableResult
    mutating func removeValue(forKey name: DNSName) -> Value? {
        let (slot, found) = probe(name, Self.hash(name))
        guard let entry = found else { return nil }
        vacate(slot)
        let last = keys.count - 1
        if entry != last {
            // The last entry fills the hole: its slot is the one holding its number.
            let moved = Self.hash(keys[last])
            var slot = Int(truncatingIfNeeded: moved) & mask
            while slots[slot] != Self.content(moved, last) { slot = (slot + 1) & mask }
            slots[slot] = Self.content(moved, entry)
            keys.swapAt(entry, last)
            values.swapAt(entry, last)
        }
        keys.removeLast()
        return values.removeLast()
    }

    mutating func reserveCapacity(_ capacity: Int) {
        keys.reserveCapacity(capacity)
        values.reserveCapacity(capacity)
        if Self.slotCount(for: capacity) > slots.count { resize(for: capacity) }
    }

    @inline(__always)
    private static func hash(_ name: DNSName) -> UInt64 {
        UInt64(truncatingIfNeeded: name.hashValue) >> 32
    }

    @inline(__always)
    private static func content(_ hash: UInt64, _ entry: Int) -> UInt64 {
        hash << 32 | UInt64(entry + 1)
    }

    /// Slots for `capacity` names at most three quarters full: the snapshot's rule
    /// (``NameTable/slotCount(for:)``, half full) for two thirds as many. No query probes
    /// these, and at N = 100,000 half full was 17 MB of slots, a quarter of them never used.
    static func slotCount(for capacity: Int) -> Int {
        NameTable.slotCount(for: (capacity * 2 + 2) / 3)
    }

    /// Empty slots for `capacity` names, and the mask of their count.
    private static func slots(for capacity: Int) -> ([UInt64], Int) {
        let size = slotCount(for: capacity)
        return ([UInt64](repeating: 0, count: size), size - 1)
    }

    /// The slot holding `name`, or the empty one where it would go.
    @inline(__always)
    private func probe(_ name: DNSName, _ hash: UInt64) -> (slot: Int, entry: Int?) {
        let mask = self.mask
        return slots.withUnsafeBufferPointer { slots in
            keys.withUnsafeBufferPointer { keys in
                var slot = Int(truncatingIfNeeded: hash) & mask
                while true {
                    let content = slots[slot]
                    if content == 0 { return (slot, nil) }
                    if content >> 32 == hash {
                        let entry = Int(truncatingIfNeeded: content & 0xFFFF_FFFF) - 1
                        if keys[entry] == name { return (slot, entry) }
                    }
                    slot = (slot + 1) & mask
                }
            }
        }
    }

    private mutating func entry(for name: DNSName, making make: () -> Value) -> Int {
        let hash = Self.hash(name)
        var (slot, found) = probe(name, hash)
        if let found { return found }
        if (keys.count + 1) * 4 > slots.count * 3 {
            resize(for: keys.count + 1)
            slot = probe(name, hash).slot
        }
        let entry = keys.count
        keys.append(name)
        values.append(make())
        slots[slot] = Self.content(hash, entry)
        return entry
    }

    /// Room for `capacity` names: every occupied slot placed again by the hash bits it holds.
    private mutating func resize(for capacity: Int) {
        let old = slots
        (slots, mask) = Self.slots(for: capacity)
        let mask = self.mask
        slots.withUnsafeMutableBufferPointer { slots in
            for content in old where content != 0 {
                var slot = Int(truncatingIfNeeded: content >> 32) & mask
                while slots[slot] != 0 { slot = (slot + 1) & mask }
                slots[slot] = content
            }
        }
    }

    /// Empties `hole` by backward shift: each later slot of its run moves up into the hole
    /// when the hole lies between the slot a name wants and the one it has.
    private mutating func vacate(_ hole: Int) {
        var hole = hole
        var next = (hole + 1) & mask
        while slots[next] != 0 {
            let wanted = Int(truncatingIfNeeded: slots[next] >> 32) & mask
            if (next - wanted) & mask >= (next - hole) & mask {
                slots[hole] = slots[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        slots[hole] = 0
    }
}
