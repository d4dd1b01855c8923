import ClusterModel
import DNSWire

/// Services' records: made when a snapshot compiles them, their own names (``ServicePart``)
/// compiled straight into the shards, chunk by chunk, and only the rest kept in the model.
/// A whole list never holds every service's records at once: the model did, about as much
/// memory as the shards at N = 100,000.
extension SnapshotEngine {
    /// Before `keys` change: each service's records as the shards and the model have them
    /// (made again from the index, which still holds the objects they were made from) are
    /// taken out of the model, and the names of its own that the shards hold noted for the
    /// next snapshot to take out.
    func retire(_ keys: Set<String>) {
        let keys = keys.filter { pending[$0] == nil && index.services[$0] != nil }.sorted()
        forEachPart(keys) { chunk, parts in
            for (key, part) in zip(chunk, parts) {
                problems["service/" + key] = nil
                guard let part else {
                    pending[key] = []
                    continue
                }
                give(part, adding: false)
                pending[key] = part.owned.map(\.name)
            }
        }
    }

    /// The pending services' own names compiled into the shards, those they had taken out
    /// first, and the rest of their records given to the model; how many names it compiled.
    func compileServices(into builders: inout ShardBuilders?) throws(DNSWireError) -> Int {
        guard !pending.isEmpty else { return 0 }
        let taken = pending
        pending = [:]
        return try compile(services: taken, into: &builders, expected: taken.count).names
    }

    /// Builders a first list's services were compiled into ahead of its end, and what went in.
    struct CompiledAhead {
        let builders: ShardBuilders
        var names = 0
        var services = 0
        /// The names the builders have room for: the list's, as estimated.
        var room = 0
    }

    /// While a first list arrives, the services it brought that read no endpoint slices (see
    /// ``readsSlices(_:)``) or have some already, compiled in whole chunks into builders the
    /// snapshot that ends the list finishes (``ahead``): the cores the list leaves idle
    /// between its pages do that work. A service whose slices come later is compiled again.
    /// `expectedServices` is how many the list holds, as its source said on its first page
    /// (sizing the shards from the start: spread again as the names came, the shards were
    /// held twice); nothing is done ahead without it.
    public func compileAhead(expectedServices: Int) throws(DNSWireError) {
        guard expectedServices >= Self.aheadMinimum else { return }
        let ready = pending.keys.filter { key in
            index.services[key].map { !readsSlices($0) || index.hasSlices(ofService: key) } ?? false
        }
        guard ready.count >= Self.chunkSize else { return }
        var taken: [String: [DNSName]] = [:]
        for key in ready.sorted().prefix(ready.count / Self.chunkSize * Self.chunkSize) {
            taken[key] = pending.removeValue(forKey: key)
        }
        var builders = ahead?.builders
        let compiled = try compile(
            services: taken, into: &builders, expected: max(taken.count, expectedServices - (ahead?.services ?? 0)))
        var done = ahead ?? CompiledAhead(builders: builders!, room: compiled.room)
        done.names += compiled.names
        done.services += taken.count
        // The builders were sized from the first chunk, whose services may have fewer names
        // than the list's (headless ones come once their slices have): grown by appends, they
        // held up to twice their names' room at the peak (heap peak at N = 100,000: 282.6
        // against 261.2 MB compiled after the list). Room for the rest of the list at the
        // names per service so far, and an eighth more, whenever that outgrows the room made.
        let names = done.names * expectedServices / done.services
        if names > done.room {
            done.room = names + names / 8
            done.builders.reserve(names: done.room - done.names)
        }
        ahead = done
    }

    /// Whether the service's records are made from its endpoint slices as well: a slice's
    /// change compiles its service again only then.
    func readsSlices(_ service: Service) -> Bool {
        switch service.dnsKind {
        case .headless: return true
        case .clusterIP: return configuration.ignoreEmptyService
        case .externalName: return false
        }
    }

    /// Compiles `taken`'s services as ``compileServices(into:)`` does; `expected` is how many
    /// services the builders are made for, when they are made here. Returns the names compiled,
    /// and the names the builders made here were given room for (0 when they were not).
    private func compile(
        services taken: [String: [DNSName]], into builders: inout ShardBuilders?, expected services: Int
    ) throws(DNSWireError) -> (names: Int, room: Int) {
        let keys = taken.keys.filter { index.services[$0] != nil }.sorted()
        var compiled = 0
        var room = 0
        // The names the shards (or builders) hold for these services are taken out first.
        func removeTaken(from builders: ShardBuilders) {
            let mask = shards.count - 1
            for key in taken.keys.sorted() {
                for name in taken[key]! {
                    let hash = name.wire.withUnsafeBytes { NameTable.hash($0) }
                    builders.update(ZoneSnapshot.shardIndex(hash: hash, mask: mask)) { $0.remove(name.wire) }
                    model.dirtyReaders(of: name)
                }
            }
        }
        if let builders { removeTaken(from: builders) }
        let made = builders == nil
        // Services' own names read nothing of the model but its zones: compiling them with a
        // model of zones alone, this thread changes the model meanwhile without copying it.
        let zones = ZoneModel(zones: model.zones, ttl: configuration.ttl)
        let zone = model.zones.firstIndex { $0.apex == configuration.zone } ?? 0
        let serviceNames = ServiceNames(index: index, configuration: configuration)
        try forEachPart(keys) { (chunk, parts) throws(DNSWireError) in
            let names = parts.reduce(0) { $0 + ($1?.ownedCount ?? 0) }
            let expected = names * services / max(1, chunk.count)
            if builders == nil {
                // Once the shard count is known: a whole list's, from its first chunk.
                builders = makeBuilders(expected: expected)
                removeTaken(from: builders!)
            }
            let compiling = Self.compile(
                parts, into: builders!, shardMask: shards.count - 1, zone: zone, model: zones, services: serviceNames,
                parallel: expected >= Self.parallelThreshold)
            for (key, part) in zip(chunk, parts) {
                guard let part else { continue }
                take(part, of: key)
                for owned in part.owned {
                    model.forget(owned.name)
                    model.dirtyReaders(of: owned.name)
                }
            }
            if let failure = compiling.finish().lazy.compactMap({ $0 }).first { throw failure }
            if made, compiled == 0, services > chunk.count {
                // A whole list: room for the rest, at the sizes its first chunk took.
                builders!.reserve(names: expected - names)
                room = expected
            }
            compiled += names
        }
        if builders == nil {
            builders = makeBuilders(expected: 0)
            removeTaken(from: builders!)
        }
        return (compiled, room)
    }

    /// Builders for the shards a snapshot rebuilds, once the shards are spread for the names
    /// there will be: the model's, the services' own, and `expected` more. A write's builders
    /// have room for 2 names more than their share: with 16, the room copied into each rebuilt
    /// shard and trimmed away again made builds at N = 100,000 a sixth slower (mean 0.77-0.80
    /// against 0.57-0.69 ms, 600 writes without dnsperf, two runs each).
    func makeBuilders(expected: Int) -> ShardBuilders {
        reshard(for: model.nodes.count + ownedNames + expected)
        return ShardBuilders(shards, extra: expected / shards.count * 5 / 4 + 2)
    }

    /// A service's part as it now is: its problems noted, the model given what it gives it.
    func take(_ part: ServicePart, of key: String) {
        problems["service/" + key] = part.problems.isEmpty ? nil : part.problems
        give(part, adding: true)
    }

    /// Adds (or takes away) what a service gives the model: the rest of its records, and its
    /// own name as a child of its namespace's.
    func give(_ part: ServicePart, adding: Bool) {
        guard part.standsAlone else {
            model.apply(part.data, adding: adding)
            return
        }
        model.apply(part.data, adding: adding, except: part.root)
        model.attach(part.root, adding: adding)
        ownedNames += adding ? part.ownedCount : -part.ownedCount
    }

    /// The records of the services `keys` as they are in the index, a chunk at a time, each
    /// handed to `body` in order. A whole list's are made on every core: while this thread
    /// takes a chunk, the other cores make the next one's, and this one joins them when done.
    func forEachPart<E: Error>(_ keys: [String], _ body: ([String], [ServicePart?]) throws(E) -> Void) throws(E) {
        let chunks = stride(from: 0, to: keys.count, by: Self.chunkSize).map {
            Array(keys[$0..<min($0 + Self.chunkSize, keys.count)])
        }
        var next = chunks.first.map { servicePart($0) }
        let releases = Releases()
        for (number, chunk) in chunks.enumerated() {
            var parts = next!.finish()
            next = number + 1 < chunks.count ? servicePart(chunks[number + 1]) : nil
            try body(chunk, parts)
            // Freeing a whole list's parts here was 6 % of this thread's samples in a cold
            // start at N = 100,000 (perf), while the other cores had room.
            if chunk.count >= Self.parallelServices { releases.release(&parts) }
        }
    }

    /// A whole list's parts are made in chunks: all at once, they would double the peak. At
    /// 8,192 a chunk was most of a list of 10,000, and its heap peaked at 48 MB against 34.
    static let chunkSize = 2048
    /// Lists of fewer services are compiled when they end, not ahead.
    static let aheadMinimum = 4 * chunkSize

    /// The records of these services, begun at once on the other cores when there are many
    /// (a whole list); a write's few are made by the thread that takes them.
    private func servicePart(_ keys: [String]) -> SharedMap<ServicePart?> {
        let index = self.index
        let configuration = self.configuration
        let apexes = model.apexes
        return SharedMap(count: keys.count, helpers: keys.count >= Self.parallelServices ? ParallelWork.cores - 1 : 0) {
            offset in
            guard let service = index.services[keys[offset]] else { return nil }
            return ServicePart(configuration, service, slices: index.slices(ofService: keys[offset]), apexes: apexes)
        }
    }

    /// A service's own name to compile: its hash's low half (all that a shard's slots use)
    /// and the part, among the chunk's, it belongs to.
    private struct ChunkName: Sendable {
        var hash: UInt32
        var part: Int32
        var name: DNSName
    }

    /// Begins compiling the chunk's names into their shards' builders, a shard per task, on
    /// the other cores when there are many; ``SharedMap/finish()`` takes up the rest. Ordered by
    /// hash, then name, as the model's names are in a shard.
    private static func compile(
        _ parts: [ServicePart?], into builders: ShardBuilders, shardMask: Int, zone: Int, model: ZoneModel,
        services: ServiceNames, parallel: Bool
    ) -> SharedMap<DNSWireError?> {
        var byShard = [[ChunkName]](repeating: [], count: shardMask + 1)
        for (offset, part) in parts.enumerated() {
            for owned in part?.owned ?? [] {
                byShard[ZoneSnapshot.shardIndex(hash: owned.hash, mask: shardMask)].append(
                    ChunkName(hash: UInt32(truncatingIfNeeded: owned.hash), part: Int32(offset), name: owned.name))
            }
        }
        let work = byShard.indices.filter { !byShard[$0].isEmpty }
        return SharedMap(count: work.count, helpers: parallel ? ParallelWork.cores - 1 : 0) { [byShard] offset in
            let sorted = byShard[work[offset]].sorted { $0.hash != $1.hash ? $0.hash < $1.hash : $0.name < $1.name }
            var compiler = NameCompiler(model: model, services: services)
            // Names a shard holds from before (the model's, until this change) are taken out;
            // a shard that held none (a first list's) is not searched for them.
            let hadNames = builders.hadNames(work[offset])
            do throws(DNSWireError) {
                try builders.update(work[offset]) { (builder) throws(DNSWireError) in
                    for owned in sorted {
                        let part = parts[Int(owned.part)]!
                        compiler.local = part.data.nodes
                        if hadNames { builder.remove(owned.name.wire) }
                        _ = try compiler.compile(
                            owned.name, ZoneModel.Node(part.data.nodes[owned.name]!), zone: zone, into: &builder)
                    }
                }
                return nil
            } catch {
                return error
            }
        }
    }
}

/// The shards a services' pass rebuilds, a builder each, made when first needed: each used by
/// one thread at a time (the one compiling that shard's names), so raw memory, not an array
/// whose exclusivity checks would trip on two threads using different builders.
final class ShardBuilders: @unchecked Sendable {
    private let old: [ZoneShard]
    private let extra: Int
    private let builders: UnsafeMutablePointer<ShardBuilder?>

    /// For `old`'s shards, each with room for `extra` names more.
    init(_ old: [ZoneShard], extra: Int) {
        self.old = old
        self.extra = extra
        builders = .allocate(capacity: old.count)
        builders.initialize(repeating: nil, count: old.count)
    }

    /// Whether the shard had names before this build.
    func hadNames(_ shard: Int) -> Bool {
        !old[shard].entries.isEmpty
    }

    func update<E: Error>(_ shard: Int, _ change: (inout ShardBuilder) throws(E) -> Void) throws(E) {
        if builders[shard] == nil {
            let from = old[shard]
            builders[shard] = from.entries.isEmpty
                ? ShardBuilder(capacity: extra)
                : ShardBuilder(appendingTo: from, extra: extra)
        }
        try change(&builders[shard]!)
    }

    /// Room in every builder for an even share of `names` more names (and a little over: a
    /// shard's share varies), each the size of the names the builders hold: grown by doubling,
    /// a whole list's builders held up to twice the room their names need at the peak.
    func reserve(names: Int) {
        let made = (0..<old.count).filter { builders[$0] != nil }
        guard !made.isEmpty, names > 0 else { return }
        let sample = made.reduce(ShardBuilder.Contents()) { $0 + builders[$1]!.contents }
        let share = names / made.count + names / made.count / 16 + 8
        for index in made { builders[index]!.reserve(names: share, like: sample) }
    }

    /// The shards with a builder replaced by what it built, copied afresh when one in
    /// `compactingWhenDeadIn` of its entries is dead.
    func finish(into shards: inout [ZoneShard], compactingWhenDeadIn share: Int) {
        precondition(shards.count == old.count, "the shards were resharded while being built")
        for index in shards.indices {
            guard let builder = builders[index].take() else { continue }
            let shard = builder.finish()
            shards[index] = shard.removed * share > shard.entries.count ? shard.compacted() : shard
        }
    }

    deinit {
        builders.deinitialize(count: old.count)
        builders.deallocate()
    }
}

extension ZoneShard {
    /// The live names alone, in fresh arrays.
    func compacted() -> ZoneShard {
        var builder = ShardBuilder(copying: self, extra: 0)
        for entry in entries.indices where !isRemoved(entry) { builder.copy(entry, of: self) }
        return builder.finish()
    }
}
