extension Array {
    /// The elements in an allocation of their own size. A builder's arrays grow by doubling (and
    /// an append to a shared array copies it with twice the room), so a shard kept for the life
    /// of a snapshot would otherwise hold up to as much unused room as data.
    func trimmed() -> [Element] {
        guard capacity > count + count / 16 + 16 else { return self }
        var copy: [Element] = []
        copy.reserveCapacity(count)
        copy.append(contentsOf: self)
        return copy
    }
}

extension Array {
    /// The elements in an allocation of exactly their size, for the many small arrays a model
    /// keeps (where ``trimmed()``'s allowance would be most of an array).
    func trimmedExactly() -> [Element] {
        guard capacity > count else { return self }
        var copy: [Element] = []
        copy.reserveCapacity(count)
        copy.append(contentsOf: self)
        return copy
    }
}
