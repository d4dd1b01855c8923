import DNSWire

/// The records of every zone a snapshot serves, by owner name, before they are compiled into
/// wire answers.
struct ZoneData {
    struct Node {
        var rrsets: [UInt16: [Record]] = [:]
        /// An ExternalName service: its SRV is NODATA rather than the CNAME.
        var isExternalName = false
        /// `<ns>.pod.<zone>`: pod names below it are synthesized in insecure mode.
        var isPodNamespace = false
        /// Named by ``touch(_:)`` itself, not only made as an ancestor of another name.
        var isTouched = false
    }

    struct Zone {
        var apex: DNSName
        var soa: Record
    }

    private(set) var nodes: [DNSName: Node] = [:]
    private(set) var zones: [Zone] = []
    /// Apexes of zones held elsewhere: ``touch(_:)`` stops there too (one object's records
    /// are kept apart from their zone's, see ``ZoneModel``).
    private let boundaries: Set<DNSName>

    init(boundaries: Set<DNSName> = []) {
        self.boundaries = boundaries
    }

    /// Adds a zone; its apex gets its SOA. Returns false when a zone with that apex exists.
    @discardableResult
    mutating func addZone(soa: Record, extra: [Record] = []) -> Bool {
        guard !zones.contains(where: { $0.apex == soa.owner }) else { return false }
        zones.append(Zone(apex: soa.owner, soa: soa))
        add(soa)
        for record in extra { add(record) }
        return true
    }

    /// Adds a record, and its owner's ancestors up to the zone apex as empty non-terminals.
    mutating func add(_ record: Record) {
        touch(record.owner)
        var rrset = nodes[record.owner, default: Node()].rrsets[record.type, default: []]
        if !rrset.contains(record) {
            rrset.append(record)
        }
        nodes[record.owner, default: Node()].rrsets[record.type] = rrset
    }

    /// Makes `name` exist (NODATA rather than NXDOMAIN), with its ancestors inside the zone.
    mutating func touch(_ name: DNSName) {
        defer { nodes[name]?.isTouched = true }
        var current: DNSName? = name
        while let node = current, nodes[node] == nil {
            nodes[node] = Node()
            if boundaries.contains(node) || zones.contains(where: { $0.apex == node }) { break }
            current = node.parent
        }
    }

    mutating func mark(_ name: DNSName, externalName: Bool = false, podNamespace: Bool = false) {
        touch(name)
        if externalName { nodes[name]?.isExternalName = true }
        if podNamespace { nodes[name]?.isPodNamespace = true }
    }

    /// The index of the zone `name` belongs to: the longest apex it lies under.
    func zoneIndex(of name: DNSName) -> Int? {
        var best: Int?
        for (index, zone) in zones.enumerated() where name.isSubdomain(of: zone.apex) {
            if best == nil || zone.apex.wire.count > zones[best!].apex.wire.count {
                best = index
            }
        }
        return best
    }
}
