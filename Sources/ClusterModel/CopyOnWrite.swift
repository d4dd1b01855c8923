/// A value kept in one heap allocation that copies share until one of them changes it.
///
/// The large objects (services, slices, pods) keep their fields in one: a dictionary of them
/// then holds a reference per object instead of some 250 bytes of fields inline in each of its
/// (mostly empty) slots, and the watch cache, a pending delta and the DNS engine's index share
/// one copy of each object instead of holding three. At 100,000 services this, with the shards'
/// trimming and the list's delta dropped once applied, took the heap's start-up peak from 876
/// to 654 MB (heaptrack).
struct CopyOnWrite<Value: Sendable & Hashable>: Sendable, Hashable {
    private final class Box: @unchecked Sendable {
        // Mutated only through `value`'s modify accessor, which first makes the box unique:
        // a box another copy can see is never written, so sharing it across threads is safe.
        var value: Value
        init(_ value: Value) { self.value = value }
    }

    private var box: Box

    init(_ value: Value) {
        box = Box(value)
    }

    var value: Value {
        // Borrowed, not copied: reading one field does not retain all the others.
        _read { yield box.value }
        _modify {
            if !isKnownUniquelyReferenced(&box) { box = Box(box.value) }
            yield &box.value
        }
    }

    static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.box === rhs.box || lhs.box.value == rhs.box.value
    }

    func hash(into hasher: inout Hasher) {
        box.value.hash(into: &hasher)
    }
}
