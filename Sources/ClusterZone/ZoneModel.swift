import DNSWire

/// The records of every zone we serve, by owner name, kept up to date object by object: an
/// object's records are added when it appears and taken away when it changes or goes, and the
/// names whose answers may differ since the last snapshot are collected as they change. This is
/// what lets a registry write cost work in proportion to what it changed (``SnapshotEngine``).
/// Services' own names are not here (``ServicePart``): each is compiled from its service's
/// records, made again when the service changes.
struct ZoneModel: Sendable {
    struct Node: Sendable {
        /// Every record of the name, all types in one list (a name has few): a multiset, as
        /// two objects may give the same record (a pod address in two headless services),
        /// which stays until both are gone. Answers hold it once.
        var all = RecordList()
        /// Records, touches and marks given to this name, plus its children that exist: the
        /// name exists (NODATA rather than NXDOMAIN) while this is above zero.
        var references: Int32 = 0
        var externalNames: Int16 = 0
        var podNamespaces: Int16 = 0

        init() {}

        /// What one part gives a name it alone gives (a service's own names).
        init(_ given: ZoneData.Node) {
            all = given.records
            references = 1
            externalNames = given.isExternalName ? 1 : 0
            podNamespaces = given.isPodNamespace ? 1 : 0
        }

        /// An ExternalName service: its SRV is NODATA rather than the CNAME.
        var isExternalName: Bool { externalNames > 0 }
        /// `<ns>.pod.<zone>`: pod names below it are synthesized in insecure mode.
        var isPodNamespace: Bool { podNamespaces > 0 }

        /// The records of `type`, each once, in the order they were given; PTR sets, the only
        /// ones several objects add different records to, by target, so the bytes do not
        /// depend on the order the objects came in.
        func records(_ type: UInt16) -> [Record] {
            var records: [Record] = []
            append(type, to: &records)
            guard type == RecordType.ptr, records.count > 1 else { return records }
            return records.sorted { ($0.data.target ?? .root) < ($1.data.target ?? .root) }
        }

        /// Appends the records of `type`, each once, in the order they were given: ``records(_:)``
        /// without an array of its own, for types other than PTR (whose order it does not fix).
        func append(_ type: UInt16, to result: inout [Record]) {
            let start = result.count
            for record in all where record.type == type && !result[start...].contains(record) {
                result.append(record)
            }
        }

        /// The types the name has records of, in numeric order.
        var types: [UInt16] {
            var types: [UInt16] = []
            for record in all where !types.contains(record.type) { types.append(record.type) }
            return types.sorted()
        }
    }

    struct Zone: Sendable {
        var apex: DNSName
        /// Set from the SOA record the zone's apex is given (``apply(_:adding:)``).
        var soa: Record?
    }

    private(set) var nodes = NameMap<Node>()
    /// PTR records, by address rather than as records of reverse names.
    private var reverse: ReverseIndex
    private(set) var zones: [Zone]
    let apexes: Set<DNSName>
    /// Names whose answers may differ from the last snapshot's. While ``everythingDirty``,
    /// only names that went away are collected.
    private(set) var dirty: Set<DNSName> = []
    /// Every name the model holds is to be compiled: a new model's (its snapshot starts from
    /// empty shards), or once nearly all are dirty (a first list). Collecting them one by one
    /// then was 6 % of a cold start's CPU at N = 100,000, on the thread that applies the lists.
    private var everythingDirty = true
    /// Names whose answers read other names' records (CNAME chains through our data): each
    /// name read → the names that read it. Stale entries only cost a spare recompile.
    private var dependents: [DNSName: Set<DNSName>] = [:]

    /// Every zone's apex, wire bytes end to end, and where each lies: ``zoneIndex(of:)``, asked
    /// for every name compiled, reads them without retaining an apex per zone.
    private let apexBytes: [UInt8]
    private let apexRanges: [Range<Int>]

    /// The zones are fixed for the model's life: a change of zones builds a new model. PTR
    /// records get `ttl`.
    init(zones: [Zone], ttl: UInt32) {
        self.zones = zones
        self.reverse = ReverseIndex(ttl: ttl)
        self.apexes = Set(zones.map(\.apex))
        var bytes: [UInt8] = []
        apexRanges = zones.map { zone in
            bytes += zone.apex.wire
            return (bytes.count - zone.apex.wire.count)..<bytes.count
        }
        apexBytes = bytes
    }

    /// Adds (or takes away) what one object gives: its records, and the names it makes exist
    /// or marks, but for the names at and below `own`. Ancestors that `part` made only on the
    /// way up are the model's own business.
    /// One dictionary access per name, not one per record and mark: a whole list's build runs
    /// this for every name of the registry, on one thread.
    mutating func apply(_ part: ZoneData, adding: Bool, except own: DNSName? = nil) {
        for (address, target) in part.pointers { reverse.apply(address, target: target, adding: adding) }
        for (name, given) in part.nodes {
            // A service's own names, compiled without the model (``ServicePart``).
            if let own, name.isSubdomain(of: own) { continue }
            let marks: Int32 = (given.isTouched ? 1 : 0) + (given.isExternalName ? 1 : 0) + (given.isPodNamespace ? 1 : 0)
            let sign: Int16 = adding ? 1 : -1
            let (existed, exists) = Self.update(&nodes[name, default: Node()]) { node in
                if given.isExternalName { node.externalNames += sign }
                if given.isPodNamespace { node.podNamespaces += sign }
                guard !adding else {
                    // A new name takes the part's list as it is, not a copy of every record.
                    node.all.append(contentsOf: given.records)
                    return Int32(given.records.count) + marks
                }
                // A record given once is taken once: another object may give it too.
                var removed: Int32 = 0
                for record in given.records {
                    if node.all.removeFirst(record) { removed += 1 }
                }
                return -(removed + marks)
            }
            if adding {
                for record in given.records where record.type == RecordType.soa {
                    if let index = zones.firstIndex(where: { $0.apex == record.owner }) { zones[index].soa = record }
                }
            }
            referenced(name, existed: existed, exists: exists, in: part)
        }
    }

    /// Changes a node; `change` returns by how much its references changed.
    private static func update(_ node: inout Node, _ change: (inout Node) -> Int32) -> (existed: Bool, exists: Bool) {
        let existed = node.references > 0
        node.references += change(&node)
        return (existed, node.references > 0)
    }

    /// Counts a child of `name` that came into existence (or went out of it). A name the
    /// part holds too is keyed by the part's copy, which its records' owners share: the copy
    /// made on the way up was a second buffer for a service's name, 7.5 MB at N = 100,000.
    private mutating func reference(_ name: DNSName, _ step: Int32, in part: ZoneData) {
        let key = part.nodes.index(forKey: name).map { part.nodes.keys[$0] } ?? name
        let (existed, exists) = Self.update(&nodes[key, default: Node()]) { _ in step }
        referenced(key, existed: existed, exists: exists, in: part)
    }

    /// After a reference to `name` changed: a name that came into existence or went out of
    /// it counts as one for its parent, up to the zone apex.
    private mutating func referenced(_ name: DNSName, existed: Bool, exists: Bool, in part: ZoneData) {
        if !exists {
            nodes.removeValue(forKey: name)
            dirty.insert(name)
        } else if !everythingDirty {
            dirty.insert(name)
            // Compiling the few clean names too costs less than collecting all the others.
            everythingDirty = dirty.count >= Self.everythingDirtyFrom && dirty.count * 8 >= nodes.count * 7
        }
        guard existed != exists, !apexes.contains(name), let parent = name.parent else { return }
        reference(parent, exists ? 1 : -1, in: part)
    }

    static let everythingDirtyFrom = 4096

    /// A service's own name came into the shards (or left them) without the model holding it
    /// (``SnapshotEngine``): it counts as a child of its parent, the namespace's name, as if
    /// the model held it.
    mutating func attach(_ name: DNSName, adding: Bool) {
        guard let parent = name.parent else { return }
        reference(parent, adding ? 1 : -1, in: ZoneData())
    }

    /// `name`, which went away from the model, is now compiled outside it: it is not to be
    /// taken out of the shards as a name that went away.
    mutating func forget(_ name: DNSName) {
        guard !dirty.isEmpty, nodes.index(of: name) == nil else { return }
        dirty.remove(name)
    }

    /// `name` changed outside the model: the names whose answers read it are compiled again.
    mutating func dirtyReaders(of name: DNSName) {
        guard !dependents.isEmpty, let readers = dependents[name] else { return }
        for reader in readers where nodes.index(of: reader) != nil { dirty.insert(reader) }
    }

    /// Names changed since the last ``takeDirty()``.
    var hasChanges: Bool { everythingDirty || !dirty.isEmpty || reverse.hasChanges }

    /// The PTR answers as they now are, and how many records changed since the last call.
    mutating func takeReverse() -> (table: ReverseTable, changes: Int) {
        reverse.take()
    }

    /// `name`'s answers were built from `read`'s records.
    mutating func record(_ name: DNSName, reads read: DNSName) {
        dependents[read, default: []].insert(name)
    }

    /// The names to compile: those the model holds by their index in ``nodes``, and those that
    /// went away. By index, a whole list's names are not copied, retained and released one by
    /// one on one thread before compiling: a cold start at N = 100,000 answered 0.14 s sooner
    /// (medians of 3 alternating runs).
    struct Dirty {
        var entries: [Int32] = []
        var gone: [DNSName] = []
    }

    /// The names to recompile, with those whose answers read them, each once; clears the set.
    mutating func takeDirty() -> Dirty {
        defer { dirty.removeAll(keepingCapacity: false) }
        guard !everythingDirty else {
            // Every name there is (its readers among them), and those that went away.
            everythingDirty = false
            return Dirty(entries: Array(0..<Int32(nodes.keys.count)), gone: dirty.filter { nodes[$0] == nil })
        }
        var result = dirty
        var pending = dependents.isEmpty ? [] : Array(result)
        while let name = pending.popLast() {
            // A reader the model no longer holds was collected when it went; it may be a
            // service's own name by now, which only the services' pass may take out.
            for reader in dependents[name] ?? [] where nodes.index(of: reader) != nil && result.insert(reader).inserted {
                pending.append(reader)
            }
        }
        var taken = Dirty()
        for name in result {
            if let index = nodes.index(of: name) { taken.entries.append(Int32(index)) } else { taken.gone.append(name) }
        }
        return taken
    }

    /// The SOA of zone `index`, for a negative answer's authority section.
    func soa(_ index: Int) -> [Record] {
        zones[index].soa.map { [$0] } ?? []
    }

    /// The index of the zone `name` belongs to: the longest apex it lies under.
    func zoneIndex(of name: DNSName) -> Int? {
        name.wire.withUnsafeBytes { name in
            apexBytes.withUnsafeBytes { apexes in
                var best: Int?
                for (index, apex) in apexRanges.enumerated() where best == nil || apex.count > apexRanges[best!].count {
                    let offset = name.count - apex.count
                    guard offset >= 0,
                        memcmp(name.baseAddress! + offset, apexes.baseAddress! + apex.lowerBound, apex.count) == 0
                    else { continue }
                    // The apex must start on a label boundary.
                    var label = 0
                    while label < offset { label += Int(name[label]) + 1 }
                    if label == offset { best = index }
                }
                return best
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
