import DNSWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A synced snapshot saved whole, so a restart serves at once instead of compiling every name
/// again (NSD's compiled database, Knot's zone in its journal). The arrays go to disk as they
/// are in memory: the file is only for this build of this program on this machine, which the
/// header's layout check and `identity` make sure of; a checksum over everything written
/// rejects a torn or damaged file. Whether the saved state is still the registry's is the
/// caller's to decide from `annotations` (the feed's positions, say).
public enum SnapshotFile {
    private static let magic: UInt64 = 0x3150_414E_5344_4E43  // "CDNSNAP1"
    private static let format: UInt32 = 5

    /// Writes `snapshot` to `path` (through a temporary file renamed over it).
    public static func write(
        _ snapshot: ZoneSnapshot, identity: String, annotations: [String: String], to path: String
    ) throws(SnapshotFileError) {
        guard snapshot.synced else { throw SnapshotFileError("only a synced snapshot is saved") }
        let temporary = path + ".tmp"
        guard let file = fopen(temporary, "wb") else { throw SnapshotFileError("cannot create \(temporary)", errno: errno) }
        var writer = SnapshotWriter(file: file)
        do throws(SnapshotFileError) {
            try writer.header(identity: identity, magic: magic, format: format, layout: layout)
            try writer.dictionary(annotations)
            try write(snapshot, to: &writer)
            try writer.trailer()
            guard fflush(file) == 0, fsync(fileno(file)) == 0 else { throw SnapshotFileError("cannot write \(temporary)", errno: errno) }
        } catch {
            fclose(file)
            unlink(temporary)
            throw error
        }
        fclose(file)
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw SnapshotFileError("cannot rename \(temporary) to \(path)", errno: code)
        }
    }

    /// Reads a snapshot `write` saved with the same `identity`, which must cover `configuration`
    /// (what the file leaves out is made from it); any difference, damage or inconsistency is an
    /// error and nothing of the file is used.
    public static func read(path: String, identity: String, configuration: ZoneConfiguration) throws(SnapshotFileError) -> (
        snapshot: ZoneSnapshot, annotations: [String: String]
    ) {
        guard let file = fopen(path, "rb") else { throw SnapshotFileError("cannot open \(path)", errno: errno) }
        defer { fclose(file) }
        var stats = stat()
        guard fstat(fileno(file), &stats) == 0 else { throw SnapshotFileError("cannot stat \(path)", errno: errno) }
        var reader = SnapshotReader(file: file, size: Int(stats.st_size))
        try reader.header(identity: identity, magic: magic, format: format, layout: layout)
        let annotations = try reader.dictionary()
        let snapshot = try read(from: &reader, configuration: configuration)
        try reader.trailer()
        return (snapshot, annotations)
    }

    /// Sizes of the structs written as raw memory: a build that lays them out otherwise must
    /// not read this build's files.
    private static var layout: [UInt32] {
        [
            MemoryLayout<NameEntry>.stride, MemoryLayout<TypeAnswer>.stride, MemoryLayout<CompiledAnswer>.stride,
            MemoryLayout<Cut>.stride, MemoryLayout<Int>.size,
        ].map { UInt32($0) }
    }

    private static func write(_ snapshot: ZoneSnapshot, to writer: inout SnapshotWriter) throws(SnapshotFileError) {
        try writer.integer(snapshot.serial)
        try writer.integer(UInt64(snapshot.zones.count))
        for zone in snapshot.zones {
            try writer.array(zone.apex)
            try writer.array(zone.soaTail)
            try writer.integer(UInt8(zone.isCluster ? 1 : 0) | UInt8(zone.isReverse ? 2 : 0))
        }
        try writer.integer(UInt64(snapshot.problems.count))
        for problem in snapshot.problems { try writer.string(problem) }
        try write(snapshot.clients, to: &writer)
        try write(snapshot.reverse, to: &writer)
        try writer.integer(UInt64(snapshot.shards.count))
        for shard in snapshot.shards { try write(shard, to: &writer) }
    }

    private static func read(
        from reader: inout SnapshotReader, configuration: ZoneConfiguration
    ) throws(SnapshotFileError) -> ZoneSnapshot {
        let serial: UInt32 = try reader.integer()
        let templates: ZoneSnapshot.Templates
        do {
            templates = try ZoneSnapshot.Templates(configuration)
        } catch {
            throw SnapshotFileError("cannot make the answer templates: \(error)")
        }
        var zones: [ZoneInfo] = []
        for _ in 0..<(try reader.count(atLeast: 3)) {
            let apex: [UInt8] = try reader.array()
            let soaTail: [UInt8] = try reader.array()
            let flags: UInt8 = try reader.integer()
            zones.append(ZoneInfo(apex: apex, soaTail: soaTail, isCluster: flags & 1 != 0, isReverse: flags & 2 != 0))
        }
        var problems: [String] = []
        for _ in 0..<(try reader.count(atLeast: 1)) { problems.append(try reader.string()) }
        let clients = try readClients(from: &reader)
        let reverse = try readReverse(from: &reader)
        let shardCount = try reader.count(atLeast: 8)
        guard shardCount.nonzeroBitCount == 1 else { throw SnapshotFileError("shard count \(shardCount) is not a power of two") }
        var shards: [ZoneShard] = []
        shards.reserveCapacity(shardCount)
        for _ in 0..<shardCount { shards.append(try readShard(from: &reader, zoneCount: zones.count)) }
        return ZoneSnapshot(
            shards: shards, reverse: reverse, zones: zones, templates: templates, serial: serial, synced: true,
            pods: configuration.pods, problems: problems, clients: clients, ttl: configuration.ttl, compiledNames: 0)
    }

    private static func write(_ clients: ClientNamespaces, to writer: inout SnapshotWriter) throws(SnapshotFileError) {
        try writer.integer(UInt64(clients.suffixes.count))
        for suffix in clients.suffixes { try writer.array(suffix) }
        try writer.integer(UInt64(clients.shards.count))
        for shard in clients.shards {
            try write(shard.addresses, to: &writer)
            try writer.array(shard.namespaces)
        }
    }

    private static func readClients(from reader: inout SnapshotReader) throws(SnapshotFileError) -> ClientNamespaces {
        var suffixes: [[UInt8]] = []
        for _ in 0..<(try reader.count(atLeast: 1)) { suffixes.append(try reader.array()) }
        let shardCount = try reader.count(atLeast: 16)
        guard shardCount == 0 || shardCount == ClientNamespaces.shardCount else {
            throw SnapshotFileError("\(shardCount) client shards")
        }
        var shards: [ClientNamespaces.Shard] = []
        for _ in 0..<shardCount {
            let addresses = try readAddresses(from: &reader)
            let namespaces: [Int32] = try reader.array()
            guard namespaces.count == addresses.count, addresses.isStrictlySorted,
                addresses.allSatisfy({ ClientNamespaces.shard(of: $0) == shards.count }),
                namespaces.allSatisfy({ $0 >= 0 && Int($0) < suffixes.count && !suffixes[Int($0)].isEmpty })
            else { throw SnapshotFileError("a client shard is inconsistent") }
            shards.append(ClientNamespaces.Shard(addresses: addresses, namespaces: namespaces))
        }
        let count = shards.reduce(0) { $0 + $1.addresses.count }
        return shards.isEmpty ? .empty : ClientNamespaces(suffixes: suffixes, shards: shards, count: count)
    }

    /// Addresses as three arrays: high and low halves, and family.
    private static func write(_ addresses: [ClientAddress], to writer: inout SnapshotWriter) throws(SnapshotFileError) {
        try writer.array(addresses.map(\.high))
        try writer.array(addresses.map(\.low))
        try writer.array(addresses.map { UInt8($0.isIPv4 ? 1 : 0) })
    }

    private static func readAddresses(from reader: inout SnapshotReader) throws(SnapshotFileError) -> [ClientAddress] {
        let highs: [UInt64] = try reader.array()
        let lows: [UInt64] = try reader.array()
        let families: [UInt8] = try reader.array()
        guard lows.count == highs.count, families.count == highs.count else {
            throw SnapshotFileError("an address list is inconsistent")
        }
        return highs.indices.map { ClientAddress(high: highs[$0], low: lows[$0], isIPv4: families[$0] != 0) }
    }

    private static func write(_ reverse: ReverseTable, to writer: inout SnapshotWriter) throws(SnapshotFileError) {
        try writer.integer(UInt64(reverse.shards.count))
        for shard in reverse.shards {
            try write(shard.addresses, to: &writer)
            try writer.array(shard.ends)
            try writer.array(shard.counts)
            try writer.array(shard.bytes)
        }
    }

    private static func readReverse(from reader: inout SnapshotReader) throws(SnapshotFileError) -> ReverseTable {
        let shardCount = try reader.count(atLeast: 32)
        guard shardCount == 0 || shardCount == ReverseTable.shardCount else {
            throw SnapshotFileError("\(shardCount) reverse shards")
        }
        var shards: [ReverseShard] = []
        for _ in 0..<shardCount {
            let addresses = try readAddresses(from: &reader)
            let ends: [UInt32] = try reader.array()
            let counts: [UInt16] = try reader.array()
            let bytes: [UInt8] = try reader.array()
            guard let shard = ReverseShard(addresses: addresses, ends: ends, counts: counts, bytes: bytes),
                shard.addresses.allSatisfy({ ReverseTable.shard(of: $0) == shards.count })
            else { throw SnapshotFileError("a reverse shard is inconsistent") }
            shards.append(shard)
        }
        return shards.isEmpty ? .empty : ReverseTable(shards: shards, count: shards.reduce(0) { $0 + $1.count })
    }

    private static func write(_ shard: ZoneShard, to writer: inout SnapshotWriter) throws(SnapshotFileError) {
        let table = shard.table
        try writer.array(table.slots)
        try writer.array(table.arena)
        try writer.array(table.starts)
        try writer.array(table.lengths)
        try writer.array(shard.entries)
        try writer.array(shard.types)
        try writer.array(shard.answers)
        try writer.array(shard.bytes)
        try writer.array(shard.cuts)
        try writer.integer(UInt64(shard.removed))
        try writer.integer(UInt64(shard.externalTargets.count))
        for (entry, target) in shard.externalTargets {
            try writer.integer(entry)
            try writer.array(target)
        }
    }

    private static func readShard(from reader: inout SnapshotReader, zoneCount: Int) throws(SnapshotFileError) -> ZoneShard {
        let slots: [Int32] = try reader.array()
        let arena: [UInt8] = try reader.array()
        let starts: [UInt32] = try reader.array()
        let lengths: [UInt8] = try reader.array()
        guard let table = NameTable(slots: slots, arena: arena, starts: starts, lengths: lengths) else {
            throw SnapshotFileError("a shard's name table is inconsistent")
        }
        let entries: [NameEntry] = try reader.array()
        let types: [TypeAnswer] = try reader.array()
        let answers: [CompiledAnswer] = try reader.array()
        let bytes: [UInt8] = try reader.array()
        let cuts: [Cut] = try reader.array()
        let removed = Int(try reader.integer() as UInt64)
        var externalTargets: [Int32: [UInt8]] = [:]
        for _ in 0..<(try reader.count(atLeast: 12)) {
            let entry: Int32 = try reader.integer()
            guard entry >= 0, Int(entry) < entries.count else { throw SnapshotFileError("an external target is out of range") }
            externalTargets[entry] = try reader.array()
        }
        let shard = ZoneShard(
            table: table, entries: entries, types: types, answers: answers, bytes: bytes, cuts: cuts,
            externalTargets: externalTargets, removed: removed)
        guard shard.isConsistent(zoneCount: zoneCount) else { throw SnapshotFileError("a shard's answers are inconsistent") }
        return shard
    }
}

public struct SnapshotFileError: Error, CustomStringConvertible, Sendable {
    public var description: String

    init(_ description: String, errno code: Int32? = nil) {
        self.description = code.map { "\(description): \(String(cString: strerror($0)))" } ?? description
    }
}
