import ClusterModel
import DNSWire

/// Keeps the zone model in step with the registry, object by object, and makes snapshots that
/// recompile only the names a change touched: the shards those names fall in are rebuilt (the
/// other names in them copied as bytes), every other shard is shared with the previous
/// snapshot. Publishing a write costs work in proportion to the write, not to the registry.
/// A changed service's own names are compiled from its records made anew, its old names taken
/// out by the list it had (``pending``); the model keeps the rest (its PTR records).
///
/// Owned by one task (the snapshot builder), never by the query path: not `Sendable`.
public final class SnapshotEngine {
    public let configuration: ZoneConfiguration
    var model: ZoneModel
    private(set) var index = ClusterIndex()
    private var clients: ClientIndex
    private var staticZones: [StaticZone] = []
    private var staticProblems: [String] = []
    var problems: [String: [String]] = [:]
    /// Services changed since the last snapshot, each with the names of its own (see
    /// ``ServicePart``) that the shards hold: a snapshot takes those out and compiles the
    /// service's names as they are now.
    var pending: [String: [DNSName]] = [:]
    /// How many of the shards' names are services' own, which the model does not hold.
    var ownedNames = 0
    /// What a first list's services compiled ahead of its end left for the snapshot that
    /// ends it to finish (``compileAhead(expectedServices:)``).
    var ahead: CompiledAhead?
    /// Services compiled ahead of the snapshot that ends a first list, until it does.
    public var servicesCompiledAhead: Int { ahead?.services ?? 0 }
    private var apexPart: ZoneData?
    private var apexSerial: UInt32 = 0
    private var apexGiven = ContinuousClock.now
    private var kubeDNSChanged = false
    /// Changes were served under the previous serial: the owner should ask for a snapshot
    /// again within a second, so the serial catches up after the last write of a burst.
    public private(set) var serialBehind = false
    var shards: [ZoneShard]
    private let templates: ZoneSnapshot.Templates

    /// Names per shard the shard count aims at: a change rebuilds a few shards of about this
    /// size, and few enough shards stay in the CPU caches that a lookup does not miss on the
    /// shard itself (a fixed 1,024 shards cost a quarter of the query rate at 10,000 services in
    /// one run, a cache miss on the shard per query in `perf annotate`). Going from 2,048 to
    /// 1,024 took the build p99 under 100 writes/s at 100,000 services from 8.4 to 5.0 ms; the
    /// query rate moved within the noise at 10,000 and 1-5 % lower at 100,000 (2 runs each).
    static let namesPerShard = 1024
    static let shardLimits = 16...1024
    /// A shard appended to is copied afresh once one in this many of its entries would be dead.
    /// Both ways cost a pass over the shard; the share bounds the dead bytes churn leaves.
    /// At half, every shard a steady churn touches swung between its live size and twice
    /// that, and the soak at N = 10,000 grew 9-12 MB in its first 160-240 s (heaptrack: the
    /// shards' arrays); at a quarter it grew 5.6 MB (+4.7 %, one run), and the churn's build
    /// times stayed as they were (median 0.7-0.8 ms, p99 4.8 ms at 10,000 and 100,000).
    static let copyWhenDeadIn = 4
    /// Below this many names to compile, one thread does it; above, every core.
    static let parallelThreshold = 20_000
    /// The same for services whose records are made (a whole list, not a write).
    static let parallelServices = 1024

    public init(configuration: ZoneConfiguration) throws(DNSWireError) {
        self.configuration = configuration
        self.model = ZoneModel(zones: [], ttl: configuration.ttl)
        self.clients = ClientIndex(zone: configuration.zone)
        self.shards = Array(repeating: ZoneShard.empty, count: Self.shardLimits.lowerBound)
        self.templates = try ZoneSnapshot.Templates(configuration)
        resetModel()
    }

    /// Counts of what the engine holds, for status and metrics.
    public var objectCounts: (namespaces: Int, services: Int, endpointSlices: Int, pods: Int) {
        (index.namespaceObjects.count, index.services.count, index.slices.count, index.pods.count)
    }

    /// Makes the registry's objects exactly `state`: the differences are applied as a delta.
    public func replace(state: ClusterState) {
        apply(index.difference(to: state))
    }

    /// Serves these static zones from the next snapshot on. A change of zones rebuilds all.
    public func setStaticZones(_ zones: [StaticZone]) {
        guard zones != staticZones else { return }
        staticZones = zones
        resetModel()
    }

    /// Applies changed objects: the records of each service, namespace and pod they affect
    /// are taken away as they were and added as they are now.
    public func apply(_ delta: ClusterDelta) {
        guard !delta.isEmpty else { return }
        if delta.services[ClusterRecords.kubeDNSKey] != nil { kubeDNSChanged = true }
        var affected = index.affected(by: delta)
        // A slice's change leaves the records of a service that does not read them as they are.
        affected.services = affected.services.filter { key in
            delta.services[key] != nil || index.services[key].map(readsSlices) == true
        }
        retire(affected.services)
        contribute(affected, adding: false)
        let namespacesBefore = affected.namespaces.filter { index.namespaceExists($0) }
        index.apply(delta)
        for key in affected.services where pending[key] == nil { pending[key] = [] }
        contribute(affected, adding: true)
        for namespace in affected.namespaces.sorted() {
            let existed = namespacesBefore.contains(namespace)
            let exists = index.namespaceExists(namespace)
            guard existed != exists else { continue }
            let (part, lines) = ClusterRecords.namespace(configuration, namespace)
            model.apply(part, adding: exists)
            problems["namespace/" + namespace] = exists && !lines.isEmpty ? lines : nil
        }
    }

    /// Keys in order, so records two objects give the same name keep one order run to run.
    /// Services are not here: their records are made when a snapshot compiles them.
    private func contribute(_ affected: ClusterIndex.Affected, adding: Bool) {
        for key in affected.pods.sorted() {
            guard let pod = index.pods[key] else { continue }
            if configuration.pods == .verified { model.apply(ClusterRecords.pod(configuration, pod), adding: adding) }
            if configuration.autopath { clients.pod(pod, adding: adding) }
        }
        if configuration.autopath {
            for key in affected.slices.sorted() {
                if let slice = index.slices[key] { clients.slice(slice, adding: adding) }
            }
        }
    }

    /// A snapshot of the current model: the names changed since the last one are compiled,
    /// the shards they fall in rebuilt, every other shard shared.
    public func snapshot(serial: UInt32, synced: Bool) throws(DNSWireError) -> ZoneSnapshot {
        // The apex carries the SOA serial and kube-dns's address. It is given again when
        // kube-dns changed, and for other changes at most once a second: each time rebuilds
        // the shards of its eight names, a cost a burst of writes should not pay every time.
        let now = ContinuousClock.now
        if apexPart == nil || kubeDNSChanged || ((hasChanges || serialBehind) && now - apexGiven >= .seconds(1)) {
            if let apexPart { model.apply(apexPart, adding: false) }
            let apex = ClusterRecords.apex(
                configuration, serial: serial, kubeDNS: index.services[ClusterRecords.kubeDNSKey])
            model.apply(apex, adding: true)
            apexPart = apex
            apexSerial = serial
            apexGiven = now
            kubeDNSChanged = false
            serialBehind = false
        } else if hasChanges {
            serialBehind = true
        }

        // Before compiling: after a whole list the client index's changed addresses are a set
        // of every pod address (6 MB of the peak at N = 100,000), gone once taken.
        let (clientMap, clientProblems) = configuration.autopath ? clients.take() : (ClientNamespaces.empty, [])
        // Services first: their names' parents and readers, and their PTR records, are the
        // model's, compiled next into the same builders.
        var builders = ahead?.builders
        let servicesCompiled = try compileServices(into: &builders) + (ahead?.names ?? 0)
        ahead = nil
        let dirty = model.takeDirty()
        let compiledNames = dirty.entries.count + dirty.gone.count
        if compiledNames > 0 {
            if builders == nil { builders = makeBuilders(expected: 0) }
            try compile(dirty, into: builders!)
        }
        builders?.finish(into: &shards, compactingWhenDeadIn: Self.copyWhenDeadIn)
        let (reverse, pointerChanges) = model.takeReverse()
        let lines = staticProblems + problems.keys.sorted().flatMap { problems[$0]! } + clientProblems
        return ZoneSnapshot(
            shards: shards, reverse: reverse, zones: try zoneInfos(), templates: templates, serial: apexSerial,
            synced: synced, pods: configuration.pods, problems: lines, clients: clientMap, ttl: configuration.ttl,
            compiledNames: servicesCompiled + compiledNames + pointerChanges)
    }

    private var hasChanges: Bool { model.hasChanges || !pending.isEmpty }

    /// A snapshot whose compiled answers are `saved`'s: for a saved snapshot made from exactly
    /// the objects, configuration and static zones the engine now holds (the caller's to know),
    /// so that a restart does not compile every name again. The apex is given with the saved
    /// serial. Nil when the saved names are not exactly the engine's: the next snapshot then
    /// compiles every name.
    public func adopt(_ saved: ZoneSnapshot, synced: Bool) throws(DNSWireError) -> ZoneSnapshot? {
        // Services compiled ahead are in no saved shard: the next snapshot finishes them.
        guard ahead == nil else { return nil }
        if let apexPart { model.apply(apexPart, adding: false) }
        let apex = ClusterRecords.apex(configuration, serial: saved.serial, kubeDNS: index.services[ClusterRecords.kubeDNSKey])
        model.apply(apex, adding: true)
        apexPart = apex
        // The services' records as a snapshot takes them, their own names looked up in the
        // saved shards rather than compiled.
        let keys = pending.keys.filter { index.services[$0] != nil }.sorted()
        pending = [:]
        var owned = 0
        var allSaved = true
        forEachPart(keys) { chunk, parts in
            for (key, part) in zip(chunk, parts) {
                guard let part else { continue }
                take(part, of: key)
                owned += part.ownedCount
                if allSaved { allSaved = part.owned.allSatisfy { saved.contains($0.name) } }
            }
        }
        guard allSaved, saved.shardNameCount == model.nodes.count + owned,
            model.nodes.keys.allSatisfy({ saved.contains($0) })
        else {
            resetModel()
            return nil
        }
        ownedNames = owned
        apexSerial = saved.serial
        apexGiven = .now
        kubeDNSChanged = false
        serialBehind = false
        let compiler = NameCompiler(model: model, services: ServiceNames(index: index, configuration: configuration))
        for entry in model.takeDirty().entries.map(Int.init) {
            let name = model.nodes.keys[entry]
            for target in compiler.reads(model.nodes.values[entry]) { model.record(name, reads: target) }
        }
        shards = saved.shards
        // Made from the engine's own records rather than trusted from the file: it is cheap.
        let (reverse, _) = model.takeReverse()
        let (clientMap, clientProblems) = configuration.autopath ? clients.take() : (ClientNamespaces.empty, [])
        let lines = staticProblems + problems.keys.sorted().flatMap { problems[$0]! } + clientProblems
        return ZoneSnapshot(
            shards: shards, reverse: reverse, zones: try zoneInfos(), templates: templates, serial: apexSerial,
            synced: synced, pods: configuration.pods, problems: lines, clients: clientMap, ttl: configuration.ttl,
            compiledNames: 0)
    }

    /// Spreads the names over more shards once they outgrow them (a first list, steady
    /// growth): entries are copied as they are, nothing is compiled. Doubling keeps the
    /// copying to a constant share of the names added.
    func reshard(for names: Int) {
        var count = shards.count
        while names > count * Self.namesPerShard * 2, count < Self.shardLimits.upperBound { count *= 2 }
        guard count != shards.count else { return }
        let mask = count - 1
        // Sized for the names copied, not for those about to be compiled: a first list's
        // rebuild replaces these shards, which until then held 8 MB of empty slots at the peak.
        let copied = shards.reduce(0) { $0 + $1.count }
        var builders = (0..<count).map { _ in ShardBuilder(capacity: copied / count + 16) }
        for shard in shards {
            for entry in shard.entries.indices where !shard.isRemoved(entry) {
                let hash = shard.table.name(entry).withUnsafeBytes { NameTable.hash($0) }
                builders[ZoneSnapshot.shardIndex(hash: hash, mask: mask)].copy(entry, of: shard)
            }
        }
        shards = builders.map { $0.finish() }
    }

    /// A name to compile with the low half of its ``NameTable/hash(_:)`` (all that a shard's
    /// slots use), worked out once: 8 bytes, as there is one for every name of a whole list.
    private struct HashedName {
        var hash: UInt32
        /// The name's index in the model's nodes, or for a name that went away -1 - its index
        /// among those (``ZoneModel/Dirty/gone``).
        var entry: Int32

        func name(_ model: ZoneModel, gone: [DNSName]) -> DNSName {
            entry >= 0 ? model.nodes.keys[Int(entry)] : gone[Int(-1 - entry)]
        }
    }

    /// The names to compile by shard number, in an array rather than a dictionary (a whole list
    /// puts every name here), each shard's list sized before it is filled: grown by doubling,
    /// the lists of a whole list's names held half as much again as their names. The names are
    /// hashed on every core for a whole list, each read where the model holds it.
    private static func byShard(
        _ dirty: ZoneModel.Dirty, model: ZoneModel, shardCount: Int
    ) -> (byShard: [[HashedName]], gone: [DNSName]) {
        let entries = dirty.entries
        let gone = dirty.gone
        let count = entries.count + gone.count
        let hashes = parallelMap(count: count, workers: count >= Self.parallelThreshold ? ParallelWork.cores : 1) { index in
            let name = index < entries.count ? model.nodes.keys[Int(entries[index])] : gone[index - entries.count]
            return name.wire.withUnsafeBytes { NameTable.hash($0) }
        }
        var counts = [Int](repeating: 0, count: shardCount)
        for hash in hashes { counts[ZoneSnapshot.shardIndex(hash: hash, mask: shardCount - 1)] += 1 }
        var byShard = counts.map { count in
            var names: [HashedName] = []
            names.reserveCapacity(count)
            return names
        }
        for (index, hash) in hashes.enumerated() {
            let entry = index < entries.count ? entries[index] : Int32(-1 - (index - entries.count))
            byShard[ZoneSnapshot.shardIndex(hash: hash, mask: shardCount - 1)].append(
                HashedName(hash: UInt32(truncatingIfNeeded: hash), entry: entry))
        }
        return (byShard, gone)
    }

    /// The model's changed names into their shards' builders: every one taken out, those the
    /// model still holds compiled anew, on every core when there are many. In an order that does
    /// not depend on the set the names came from, so a build lays a shard out the same way each
    /// time; by hash first, as comparing names' bytes was a seventh of a whole list's compile (perf).
    private func compile(_ dirty: ZoneModel.Dirty, into builders: ShardBuilders) throws(DNSWireError) {
        let (byShard, gone) = Self.byShard(dirty, model: model, shardCount: shards.count)
        let work = byShard.indices.filter { !byShard[$0].isEmpty }
        let model = self.model
        let services = ServiceNames(index: index, configuration: configuration)
        let parallel = dirty.entries.count + dirty.gone.count >= Self.parallelThreshold
        let results = parallelMap(count: work.count, workers: parallel ? ParallelWork.cores : 1) { offset in
            Result { () throws(DNSWireError) -> [(DNSName, [DNSName])] in
                let names = byShard[work[offset]]
                let compiler = NameCompiler(model: model, services: services)
                var reads: [(DNSName, [DNSName])] = []
                try builders.update(work[offset]) { (builder) throws(DNSWireError) in
                    for hashed in names { builder.remove(hashed.name(model, gone: gone).wire) }
                    let sorted = names.sorted {
                        $0.hash != $1.hash ? $0.hash < $1.hash : $0.name(model, gone: gone) < $1.name(model, gone: gone)
                    }
                    for hashed in sorted where hashed.entry >= 0 {
                        let name = model.nodes.keys[Int(hashed.entry)]
                        guard let zone = model.zoneIndex(of: name) else { continue }
                        let read = try compiler.compile(name, model.nodes.values[Int(hashed.entry)], zone: zone, into: &builder)
                        if !read.isEmpty { reads.append((name, read)) }
                    }
                }
                return reads
            }
        }
        for result in results {
            for (name, read) in try result.get() {
                for target in read { self.model.record(name, reads: target) }
            }
        }
    }

    /// A new model with every zone, and every object's records added again.
    private func resetModel() {
        var zones = configuration.zones.map { ZoneModel.Zone(apex: $0) }
        var parts: [ZoneData] = []
        staticProblems = []
        for zone in staticZones {
            guard !zone.apex.isSubdomain(of: configuration.zone), !configuration.zone.isSubdomain(of: zone.apex) else {
                staticProblems.append("\(zone.source): zone \(zone.apex) overlaps the cluster zone, not served")
                continue
            }
            guard !zones.contains(where: { $0.apex == zone.apex }) else {
                staticProblems.append("\(zone.source): zone \(zone.apex) is already served, not served again")
                continue
            }
            zones.append(ZoneModel.Zone(apex: zone.apex))
            var part = ZoneData()
            part.addZone(soa: zone.records[0], extra: Array(zone.records.dropFirst()))
            parts.append(part)
        }
        model = ZoneModel(zones: zones, ttl: configuration.ttl)
        for part in parts { model.apply(part, adding: true) }
        apexPart = nil
        // Every name is compiled again: the old shards are dropped, not copied from.
        shards = Array(repeating: ZoneShard.empty, count: Self.shardLimits.lowerBound)
        let everything = index.everything
        clients = ClientIndex(zone: configuration.zone)
        problems = [:]
        pending = Dictionary(uniqueKeysWithValues: everything.services.map { ($0, []) })
        ownedNames = 0
        ahead = nil
        contribute(everything, adding: true)
        for namespace in everything.namespaces.sorted() where index.namespaceExists(namespace) {
            let (part, lines) = ClusterRecords.namespace(configuration, namespace)
            model.apply(part, adding: true)
            if !lines.isEmpty { problems["namespace/" + namespace] = lines }
        }
    }

    private func zoneInfos() throws(DNSWireError) -> [ZoneInfo] {
        try model.zones.map { (zone) throws(DNSWireError) in
            // Every zone has its SOA by now: the apex part is given before the first snapshot,
            // static zones' records when the model is made.
            guard let record = zone.soa else { preconditionFailure("zone \(zone.apex) has no SOA") }
            let soa = try MessageEncoder.uncompressed(record)
            return ZoneInfo(
                apex: zone.apex.wire, soaTail: Array(soa[zone.apex.wire.count...]),
                isCluster: zone.apex == configuration.zone,
                isReverse: zone.apex == ReverseName.ipv4Zone || zone.apex == ReverseName.ipv6Zone)
        }
    }
}
