import ClusterModel
import DNSWire

/// Builds a ``ZoneSnapshot`` from registry objects and static zones.
public struct SnapshotBuilder: Sendable {
    public let configuration: ZoneConfiguration
    /// CNAME chains are followed inside our data for at most this many links.
    static let maxChain = 8

    public init(configuration: ZoneConfiguration) {
        self.configuration = configuration
    }

    public func build(
        state: ClusterState, staticZones: [StaticZone] = [], serial: UInt32, synced: Bool = true
    ) throws(DNSWireError) -> ZoneSnapshot {
        var cluster = ClusterRecords(configuration: configuration, serial: serial, data: ZoneData())
        cluster.add(state)
        var data = cluster.data
        var problems = cluster.problems
        for zone in staticZones {
            guard !zone.apex.isSubdomain(of: configuration.zone), !configuration.zone.isSubdomain(of: zone.apex) else {
                problems.append("\(zone.source): zone \(zone.apex) overlaps the cluster zone, not served")
                continue
            }
            guard data.addZone(soa: zone.records[0], extra: Array(zone.records.dropFirst())) else {
                problems.append("\(zone.source): zone \(zone.apex) is already served, not served again")
                continue
            }
        }
        var clients = ClientNamespaces.empty
        if configuration.autopath {
            let built = ClientNamespaces.build(state: state, zone: configuration.zone)
            clients = built.0
            problems += built.problems
        }
        return try compile(data, serial: serial, synced: synced, problems: problems, clients: clients)
    }

    private func compile(
        _ data: ZoneData, serial: UInt32, synced: Bool, problems: [String], clients: ClientNamespaces
    ) throws(DNSWireError) -> ZoneSnapshot {
        var externalTargets: [Int32: [UInt8]] = [:]
        var table = NameTable(capacity: data.nodes.count)
        var entries: [NameEntry] = []
        var types: [TypeAnswer] = []
        var compiler = AnswerCompiler()
        entries.reserveCapacity(data.nodes.count)
        for (name, node) in data.nodes.sorted(by: { $0.key < $1.key }) {
            guard let zone = data.zoneIndex(of: name) else { continue }
            _ = table.insert(name.wire)
            var entry = NameEntry(
                zone: UInt16(zone), flags: 0, typesStart: UInt32(types.count), typesCount: 0, fallback: -1)
            if node.isExternalName { entry.flags |= NameEntry.externalName }
            if node.isPodNamespace { entry.flags |= NameEntry.podNamespace }
            if let cname = node.rrsets[RecordType.cname]?.first {
                for type in [RecordType.cname, RecordType.a, RecordType.aaaa] {
                    let chain = chase(cname, type: type, in: data)
                    if type == RecordType.a, chain.authority.isEmpty, let last = chain.answer.last,
                        last.type == RecordType.cname, let target = last.data.target, data.zoneIndex(of: target) == nil
                    {
                        // SPEC.md section 2: the upstream finishes this chain when there is one.
                        entry.flags |= NameEntry.externalTarget
                        externalTargets[Int32(entries.count)] = target.wire
                    }
                    let answer = try compiler.compile(name: name, type: type, answer: chain.answer, authority: chain.authority)
                    types.append(TypeAnswer(type: type, answer: UInt32(answer)))
                }
                entry.fallback = Int32(try compiler.compile(name: name, type: RecordType.cname, answer: [cname]))
            } else {
                for (type, records) in node.rrsets.sorted(by: { $0.key < $1.key }) {
                    let additional = type == RecordType.srv || type == RecordType.ns
                        ? self.additional(for: records, in: data) : []
                    let answer = try compiler.compile(name: name, type: type, answer: records, additional: additional)
                    types.append(TypeAnswer(type: type, answer: UInt32(answer)))
                }
            }
            entry.typesCount = UInt16(types.count - Int(entry.typesStart))
            entries.append(entry)
        }
        let zones = try data.zones.map { (zone) throws(DNSWireError) in
            let soa = try MessageEncoder.uncompressed(zone.soa)
            return ZoneInfo(
                apex: zone.apex.wire, soaTail: Array(soa[zone.apex.wire.count...]),
                isCluster: zone.apex == configuration.zone,
                isReverse: zone.apex == ReverseName.ipv4Zone || zone.apex == ReverseName.ipv6Zone)
        }
        return ZoneSnapshot(
            table: table, entries: entries, types: types, compiler: compiler, zones: zones,
            templates: try templates(), serial: serial, synced: synced, pods: configuration.pods,
            problems: problems, clients: clients, externalTargets: externalTargets,
            ttl: configuration.ttl)
    }

    /// A CNAME, then what its target has of `type` inside our zones, link by link. A chain
    /// that ends in a name we serve without such data carries that zone's SOA (RFC 2308); one
    /// that leaves our zones ends with the last CNAME (the resolver goes on from there).
    private func chase(_ first: Record, type: UInt16, in data: ZoneData) -> (answer: [Record], authority: [Record]) {
        var answer = [first]
        guard type != RecordType.cname else { return (answer, []) }
        var seen: Set<DNSName> = [first.owner]
        var target = first.data.target
        while let name = target, answer.count <= Self.maxChain, seen.insert(name).inserted {
            guard let zone = data.zoneIndex(of: name) else { return (answer, []) }
            guard let node = data.nodes[name] else { return (answer, [data.zones[zone].soa]) }
            if let next = node.rrsets[RecordType.cname]?.first {
                answer.append(next)
                target = next.data.target
            } else if let records = node.rrsets[type], !records.isEmpty {
                return (answer + records, [])
            } else {
                return (answer, [data.zones[zone].soa])
            }
        }
        return (answer, [])
    }

    /// A and AAAA records of the targets of SRV and NS records, when we hold them.
    private func additional(for records: [Record], in data: ZoneData) -> [Record] {
        var result: [Record] = []
        var seen = Set<DNSName>()
        for record in records {
            guard let target = record.data.target, seen.insert(target).inserted, let node = data.nodes[target] else {
                continue
            }
            result += node.rrsets[RecordType.a] ?? []
            result += node.rrsets[RecordType.aaaa] ?? []
        }
        return result
    }

    private func templates() throws(DNSWireError) -> ZoneSnapshot.Templates {
        let name = configuration.zone
        let ttl = configuration.ttl
        return ZoneSnapshot.Templates(
            anyBody: try AnswerCompiler.body(
                name: name, type: RecordType.any,
                record: Record(owner: name, ttl: ttl, data: .hinfo(cpu: "RFC8482", os: ""))),
            podA: try AnswerCompiler.body(
                name: name, type: RecordType.a, record: Record(owner: name, ttl: ttl, data: .a([0, 0, 0, 0]))),
            podAAAA: try AnswerCompiler.body(
                name: name, type: RecordType.aaaa,
                record: Record(owner: name, ttl: ttl, data: .aaaa([UInt8](repeating: 0, count: 16)))))
    }
}
