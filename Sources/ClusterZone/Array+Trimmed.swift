extension Array {
    /// The elements in an allocation of their own size. A builder's arrays grow by doubling (and
    /// an append to a shared array copies it with twice the room), so a shard kept for the life
    /// of a snapshot would otherwise hold up to as much unused room as data.
    func trimmed() -> [Element] {
        trimmed(allowing: count / 16 + 16)
    }

    /// The same, copied only when more than `slack` elements' room is unused: 0 for the many
    /// small arrays a model keeps, where ``trimmed()``'s allowance would be most of an array.
    func trimmed(allowing slack: Int) -> [Element] {
        guard capacity > count + slack else { return self }
        var copy: [Element] = []
        copy.reserveCapacity(count)
        copy.append(contentsOf: self)
        return copy
    }
}
