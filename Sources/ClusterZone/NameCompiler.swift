import DNSWire

/// Compiles the answers of one name from the model's records: every type it has, and for an
/// alias the CNAME chain followed through our data for A, AAAA and CNAME questions.
struct NameCompiler {
    /// CNAME chains are followed inside our data for at most this many links.
    static let maxChain = 8

    let model: ZoneModel
    /// Services' own names, which the model does not hold: read when a chain leads there.
    let services: ServiceNames
    /// The names of the service being compiled, when they are a service's own: its SRV
    /// records' targets are read here.
    var local: [DNSName: ZoneData.Node] = [:]

    init(model: ZoneModel, services: ServiceNames) {
        self.model = model
        self.services = services
    }

    /// `name`'s records, wherever they are kept.
    private func node(_ name: DNSName) -> ZoneModel.Node? {
        if !local.isEmpty, let given = local[name] { return ZoneModel.Node(given) }
        return model.nodes[name] ?? services.node(name)
    }

    /// Compiles `name` into `shard`; returns the other names whose records went into its
    /// answers (the links of a CNAME chain), so a change there recompiles it too.
    func compile(_ name: DNSName, _ node: ZoneModel.Node, zone: Int, into shard: inout ShardBuilder) throws(DNSWireError)
        -> [DNSName]
    {
        var read: [DNSName] = []
        var entry = NameEntry(
            zone: UInt16(zone), flags: 0, typesStart: UInt32(shard.types.count), typesCount: 0, fallback: -1)
        if node.isExternalName { entry.flags |= NameEntry.externalName }
        if node.isPodNamespace { entry.flags |= NameEntry.podNamespace }
        if let cname = node.records(RecordType.cname).first {
            for type in [RecordType.cname, RecordType.a, RecordType.aaaa] {
                let chain = chase(cname, type: type, read: &read)
                if type == RecordType.a, chain.authority.isEmpty, let last = chain.answer.last,
                    last.type == RecordType.cname, let target = last.data.target, model.zoneIndex(of: target) == nil
                {
                    // SPEC.md section 2: the upstream finishes this chain when there is one.
                    entry.flags |= NameEntry.externalTarget
                    shard.externalTargets[Int32(shard.entries.count)] = target.wire
                }
                let answer = try shard.compiler.compile(name: name, type: type, answer: chain.answer, authority: chain.authority)
                shard.types.append(TypeAnswer(type: type, answer: UInt32(answer)))
            }
            entry.fallback = Int32(try shard.compiler.compile(name: name, type: RecordType.cname, answer: [cname]))
        } else {
            for type in node.types {
                let records = node.records(type)
                // SRV and NS targets are names of the same object (a service's own names, the
                // apex's name server), recompiled with it: no dependency to record.
                let additional = type == RecordType.srv || type == RecordType.ns ? self.additional(for: records) : []
                let answer = try shard.compiler.compile(name: name, type: type, answer: records, additional: additional)
                shard.types.append(TypeAnswer(type: type, answer: UInt32(answer)))
            }
        }
        entry.typesCount = UInt16(shard.types.count - Int(entry.typesStart))
        shard.insert(name.wire[...], entry: entry)
        return read
    }

    /// The names ``compile(_:_:zone:into:)`` would report as read, without compiling.
    func reads(_ node: ZoneModel.Node) -> [DNSName] {
        guard let cname = node.records(RecordType.cname).first else { return [] }
        var read: [DNSName] = []
        for type in [RecordType.a, RecordType.aaaa] { _ = chase(cname, type: type, read: &read) }
        return read
    }

    /// A CNAME, then what its target has of `type` inside our zones, link by link. A chain
    /// that ends in a name we serve without such data carries that zone's SOA (RFC 2308); one
    /// that leaves our zones ends with the last CNAME (the resolver goes on from there).
    private func chase(_ first: Record, type: UInt16, read: inout [DNSName]) -> (answer: [Record], authority: [Record]) {
        var answer = [first]
        guard type != RecordType.cname else { return (answer, []) }
        var seen: Set<DNSName> = [first.owner]
        var target = first.data.target
        while let name = target, answer.count <= Self.maxChain, seen.insert(name).inserted {
            guard let zone = model.zoneIndex(of: name) else { return (answer, []) }
            read.append(name)
            guard let node = self.node(name) else { return (answer, model.soa(zone)) }
            if let next = node.records(RecordType.cname).first {
                answer.append(next)
                target = next.data.target
            } else {
                let records = node.records(type)
                if !records.isEmpty { return (answer + records, []) }
                return (answer, model.soa(zone))
            }
        }
        return (answer, [])
    }

    /// A and AAAA records of the targets of SRV and NS records, when we hold them, each
    /// target once (a service's own name has its targets once per port).
    private func additional(for records: [Record]) -> [Record] {
        var result: [Record] = []
        var targets: [DNSName] = []
        // Past a few targets a set finds one sooner than a search of those before it.
        var seen: Set<DNSName>? = records.count > 32 ? [] : nil
        for record in records {
            guard let target = record.data.target else { continue }
            if seen == nil ? targets.contains(target) : !seen!.insert(target).inserted { continue }
            targets.append(target)
            guard let node = self.node(target) else { continue }
            node.append(RecordType.a, to: &result)
            node.append(RecordType.aaaa, to: &result)
        }
        return result
    }
}
