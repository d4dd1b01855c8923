import DNSWire

/// One of the snapshot's shards: the names whose hash falls in it, with their prebuilt
/// answers in arenas of their own. A change rebuilds only the shards its names fall in; the
/// others are shared, untouched, between the old snapshot and the new one. A rebuilt shard
/// keeps its arrays (copied whole) and appends the changed names: their old entries stay as
/// unreachable ("removed") bytes until they are a quarter of the shard, which is then
/// compacted (``SnapshotEngine/copyWhenDeadIn``).
final class ZoneShard: Sendable {
    let table: NameTable
    let entries: [NameEntry]
    let types: [TypeAnswer]
    let answers: [CompiledAnswer]
    let bytes: [UInt8]
    let cuts: [Cut]
    /// Entry number → lower-case wire name of the out-of-zone target its CNAME chain ends at.
    let externalTargets: [Int32: [UInt8]]
    /// Entries no longer in the table (replaced or deleted names).
    let removed: Int

    static let empty = ShardBuilder(capacity: 0).finish()

    init(_ builder: ShardBuilder) {
        table = builder.table.trimmed()
        entries = builder.entries.trimmed()
        types = builder.types.trimmed()
        answers = builder.compiler.answers.trimmed()
        bytes = builder.compiler.bytes.trimmed()
        cuts = builder.compiler.cuts.trimmed()
        externalTargets = builder.externalTargets
        removed = builder.removed
    }

    init(
        table: NameTable, entries: [NameEntry], types: [TypeAnswer], answers: [CompiledAnswer], bytes: [UInt8],
        cuts: [Cut], externalTargets: [Int32: [UInt8]], removed: Int
    ) {
        self.table = table
        self.entries = entries
        self.types = types
        self.answers = answers
        self.bytes = bytes
        self.cuts = cuts
        self.externalTargets = externalTargets
        self.removed = removed
    }

    /// Every index the query path follows stays inside its array (and an entry's zone among
    /// the snapshot's `zoneCount` zones): what a shard read back from a file must show before
    /// it is served.
    func isConsistent(zoneCount: Int) -> Bool {
        guard table.count == entries.count, removed <= entries.count else { return false }
        let entriesFit = entries.allSatisfy { entry in
            Int(entry.typesStart) + Int(entry.typesCount) <= types.count && Int(entry.fallback) < answers.count
                && entry.fallback >= -1 && Int(entry.zone) < zoneCount
        }
        guard entriesFit, types.allSatisfy({ Int($0.answer) < answers.count }) else { return false }
        let answersFit = answers.allSatisfy { answer in
            let cutRange = Int(answer.cutStart)..<(Int(answer.cutStart) + Int(answer.cutCount))
            return (answer.compactTargets || Int(answer.bodyStart) + Int(answer.whole.bodyLength) <= bytes.count)
                && Int(answer.rotateOffset) + Int(answer.rotateStride) * Int(answer.rotateCount)
                    <= Int(answer.whole.bodyLength)
                && (!answer.compactTargets || answer.rotateCount == 0)
                && cutRange.upperBound <= cuts.count
                && cuts[cutRange].allSatisfy { $0.bodyLength <= answer.whole.bodyLength }
        }
        // A compact answer's bytes are walked for the name of each entry that gives it: the
        // responder writes its targets from that name.
        func fits(_ answer: Int, nameLength: Int) -> Bool {
            !answers[answer].compactTargets || storedLength(of: answers[answer], nameLength: nameLength) != nil
        }
        return answersFit && entries.indices.allSatisfy { index in
            let entry = entries[index]
            let nameLength = table.name(index).count
            let start = Int(entry.typesStart)
            return types[start..<(start + Int(entry.typesCount))].allSatisfy { fits(Int($0.answer), nameLength: nameLength) }
                && (entry.fallback < 0 || fits(Int(entry.fallback), nameLength: nameLength))
        }
    }

    /// The bytes `answer` keeps: its whole body, or for compact SRV targets what walking its
    /// records for a question name of `nameLength` bytes finds (nil when they do not fit).
    func storedLength(of answer: CompiledAnswer, nameLength: Int) -> Int? {
        guard answer.compactTargets else { return Int(answer.whole.bodyLength) }
        return bytes.withUnsafeBytes {
            CompactTargets.storedLength(
                $0, start: Int(answer.bodyStart), expandedLength: Int(answer.whole.bodyLength), nameLength: nameLength)
        }
    }

    /// Names in the shard (entries that are not removed).
    var count: Int { entries.count - removed }

    func isRemoved(_ index: Int) -> Bool {
        entries[index].flags & NameEntry.removed != 0
    }

    /// Bytes held by the shard's arrays (what the snapshot's answers cost in memory).
    var byteCount: Int {
        table.byteCount + entries.capacity * MemoryLayout<NameEntry>.stride
            + types.capacity * MemoryLayout<TypeAnswer>.stride
            + answers.capacity * MemoryLayout<CompiledAnswer>.stride + bytes.capacity
            + cuts.capacity * MemoryLayout<Cut>.stride
    }

    /// The compiled answer of `entry` for `type`, nil for NODATA.
    @inline(__always)
    func answer(_ entry: NameEntry, type: UInt16) -> CompiledAnswer? {
        if type == RecordType.srv && entry.flags & NameEntry.externalName != 0 { return nil }
        let start = Int(entry.typesStart)
        for index in start..<(start + Int(entry.typesCount)) where types[index].type == type {
            return answers[Int(types[index].answer)]
        }
        return entry.fallback >= 0 ? answers[Int(entry.fallback)] : nil
    }
}

/// Collects the names of one shard: compiled anew, or copied from the shard they were in.
struct ShardBuilder {
    var table: NameTable
    var entries: [NameEntry] = []
    var types: [TypeAnswer] = []
    var compiler = AnswerCompiler()
    var externalTargets: [Int32: [UInt8]] = [:]
    var removed = 0

    init(capacity: Int) {
        table = NameTable(capacity: capacity)
        entries.reserveCapacity(capacity)
    }

    /// `old` as it is, the `extra` names compiled next appended (names are taken out with
    /// ``remove(_:)``). The arrays are copied once, with room for the extra names, so neither
    /// the appends nor ``finish()``'s trimming copies them again.
    init(appendingTo old: ZoneShard, extra: Int) {
        entries.reserveCapacity(old.entries.count + extra)
        entries += old.entries
        removed = old.removed
        table = NameTable(rebuilding: old.table, capacity: old.count + extra, extra: extra)
        types = old.types
        compiler = AnswerCompiler(answers: old.answers, bytes: old.bytes, cuts: old.cuts)
        reserveRoom(after: old, extra: extra)
        externalTargets = old.externalTargets
    }

    /// Room for `old`'s names and `extra` more, so copying a shard grows no array.
    init(copying old: ZoneShard, extra: Int) {
        let capacity = old.count + extra
        table = NameTable(capacity: capacity, arenaCapacity: old.table.arenaCount + extra * NameTable.bytesPerName)
        entries.reserveCapacity(capacity)
        reserveRoom(after: old, extra: extra)
    }

    /// Room in the answer arrays for `old`'s contents and `extra` more names (a copy of a shared
    /// array made here, once, rather than by the first append with twice the room).
    private mutating func reserveRoom(after old: ZoneShard, extra: Int) {
        types.reserveCapacity(old.types.count + extra * 3)
        compiler.reserve(answers: old.answers.count + extra * 4, bytes: old.bytes.count + extra * 128,
                         cuts: old.cuts.count + extra * 2)
    }

    /// Adds a name: ``NameEntry/typesStart`` is set here, its answers are already compiled.
    mutating func insert(_ wire: ArraySlice<UInt8>, entry: NameEntry) {
        // Removed entries are out of the table's slots: they leave room.
        if (entries.count - removed + 1) * 2 > table.slotCount { table.grow() }
        _ = table.insert(wire)
        entries.append(entry)
    }

    /// Copies entry `index` of `shard` with its answers, bytes unchanged.
    mutating func copy(_ index: Int, of shard: ZoneShard) {
        let old = shard.entries[index]
        var entry = old
        entry.typesStart = UInt32(types.count)
        let start = Int(old.typesStart)
        let nameLength = shard.table.name(index).count
        for type in shard.types[start..<(start + Int(old.typesCount))] {
            types.append(TypeAnswer(
                type: type.type, answer: UInt32(compiler.copy(Int(type.answer), of: shard, nameLength: nameLength))))
        }
        if old.fallback >= 0 {
            entry.fallback = Int32(compiler.copy(Int(old.fallback), of: shard, nameLength: nameLength))
        }
        if let target = shard.externalTargets[Int32(index)] {
            externalTargets[Int32(entries.count)] = target
        }
        insert(shard.table.name(index), entry: entry)
    }

    /// What a builder holds, by array: summed over builders, and divided by their names, what
    /// a name takes.
    struct Contents {
        var names = 0.0, arena = 0.0, types = 0.0, answers = 0.0, bytes = 0.0, cuts = 0.0

        static func + (lhs: Contents, rhs: Contents) -> Contents {
            Contents(names: lhs.names + rhs.names, arena: lhs.arena + rhs.arena, types: lhs.types + rhs.types,
                     answers: lhs.answers + rhs.answers, bytes: lhs.bytes + rhs.bytes, cuts: lhs.cuts + rhs.cuts)
        }
    }

    var contents: Contents {
        Contents(names: Double(entries.count), arena: Double(table.arenaCount), types: Double(types.count),
                 answers: Double(compiler.answers.count), bytes: Double(compiler.bytes.count),
                 cuts: Double(compiler.cuts.count))
    }

    /// Room for `names` more names, each taking what `sample`'s names took on average.
    mutating func reserve(names: Int, like sample: Contents) {
        guard sample.names > 0 else { return }
        let more = Double(names) / sample.names
        table.reserve(names: names, arenaBytes: Int(sample.arena * more), live: entries.count - removed)
        entries.reserveCapacity(entries.count + names)
        types.reserveCapacity(types.count + Int(sample.types * more))
        compiler.reserve(answers: compiler.answers.count + Int(sample.answers * more),
                         bytes: compiler.bytes.count + Int(sample.bytes * more),
                         cuts: compiler.cuts.count + Int(sample.cuts * more))
    }

    /// Takes `wire`'s entry out, when the shard has the name: its bytes stay, unreachable.
    mutating func remove(_ wire: [UInt8]) {
        guard let entry = wire.withUnsafeBytes({ table.find($0, hash: NameTable.hash($0)) }) else { return }
        table.remove(entry)
        entries[entry].flags |= NameEntry.removed
        externalTargets[Int32(entry)] = nil
        removed += 1
    }

    func finish() -> ZoneShard {
        ZoneShard(self)
    }
}
