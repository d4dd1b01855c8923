import NIOCore

/// Forwarded answers of one event loop, positive and negative, each until its TTL runs out.
///
/// Bounded by entries; when full, the CLOCK algorithm (second chance) picks the victim: each
/// hit marks its entry, the hand clears marks as it passes and evicts the first unmarked or
/// expired entry. That approximates LRU with O(1) work per insert and no linked list.
/// Loop-confined like its ``Forwarder``: not `Sendable`, no locks.
final class AnswerCache {
    struct Key: Hashable {
        /// Lower-cased wire name.
        var name: [UInt8]
        var type: UInt16
        var qclass: UInt16
        /// DO and CD change what an upstream returns (DNSSEC records, validation).
        var dnssec: UInt8
    }

    private struct Entry {
        var key: Key
        var answer: UpstreamAnswer
        var stored: NIODeadline
        var expires: NIODeadline
        var referenced: Bool
    }

    let capacity: Int
    private var slots: [Entry?] = []
    private var index: [Key: Int] = [:]
    private var hand = 0

    /// Lookups answered from the cache, and those that were not (absent or expired).
    private(set) var hits = 0
    private(set) var misses = 0
    /// Entries dropped to make room (expired ones removed on the way are not counted).
    private(set) var evictions = 0
    var count: Int { index.count }

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    /// The cached answer and the whole seconds it has aged, or nil.
    func lookup(_ key: Key, now: NIODeadline) -> (answer: UpstreamAnswer, age: UInt32)? {
        guard let slot = index[key], let entry = slots[slot] else {
            misses += 1
            return nil
        }
        guard now < entry.expires else {
            remove(slot)
            misses += 1
            return nil
        }
        slots[slot]?.referenced = true
        hits += 1
        let age = (now - entry.stored).nanoseconds / 1_000_000_000
        return (entry.answer, UInt32(clamping: age))
    }

    /// Stores `answer` for `ttl` seconds (its `cacheTTL`), replacing an older entry of `key`.
    func insert(_ key: Key, answer: UpstreamAnswer, ttl: UInt32, now: NIODeadline) {
        guard capacity > 0, ttl > 0 else { return }
        let entry = Entry(
            key: key, answer: answer, stored: now, expires: now + .seconds(Int64(ttl)), referenced: false)
        if let slot = index[key] {
            slots[slot] = entry
            return
        }
        let slot = slots.count < capacity ? appendSlot() : victim(now: now)
        slots[slot] = entry
        index[key] = slot
    }

    private func appendSlot() -> Int {
        slots.append(nil)
        return slots.count - 1
    }

    /// Advances the hand to an empty, expired or unmarked slot and frees it.
    private func victim(now: NIODeadline) -> Int {
        while true {
            let slot = hand
            hand = (hand + 1) % slots.count
            guard let entry = slots[slot] else { return slot }
            if entry.expires <= now {
                remove(slot)
                return slot
            }
            if entry.referenced {
                slots[slot]?.referenced = false
                continue
            }
            remove(slot)
            evictions += 1
            return slot
        }
    }

    private func remove(_ slot: Int) {
        guard let entry = slots[slot] else { return }
        index[entry.key] = nil
        slots[slot] = nil
    }
}
