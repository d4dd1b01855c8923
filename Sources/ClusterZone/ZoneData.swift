import DNSWire

/// What one object gives the zones: records by owner name, and the names it makes exist or
/// marks. Ancestors are not here: ``ZoneModel`` keeps them when it adds the part.
struct ZoneData: Sendable {
    struct Node: Sendable {
        var records = RecordList()
        /// An ExternalName service: its SRV is NODATA rather than the CNAME.
        var isExternalName = false
        /// `<ns>.pod.<zone>`: pod names below it are synthesized in insecure mode.
        var isPodNamespace = false
        /// Made to exist without records of its own (NODATA rather than NXDOMAIN).
        var isTouched = false
    }

    private(set) var nodes: [DNSName: Node] = [:]
    /// PTR records by address, for the ``ReverseTable``: not records of reverse names.
    private(set) var pointers: [(address: IPAddressBytes, target: DNSName)] = []

    /// A zone's records: its SOA first, then the rest.
    mutating func addZone(soa: Record, extra: [Record] = []) {
        add(soa)
        for record in extra { add(record) }
    }

    /// Adds a record; the same record twice is kept once.
    mutating func add(_ record: Record) {
        modify(record.owner) { node in
            if !node.records.contains(record) { node.records.append(record) }
        }
    }

    /// A PTR record from `address`'s reverse name to `target`. The name above the reverse
    /// name is made to exist: a prefix of known addresses is NODATA, not NXDOMAIN.
    mutating func point(_ address: IPAddressBytes, to target: DNSName) {
        pointers.append((address, target))
        touch(ReverseName.parent(for: address))
    }

    /// Makes `name` exist (NODATA rather than NXDOMAIN).
    mutating func touch(_ name: DNSName) {
        modify(name) { $0.isTouched = true }
    }

    mutating func mark(_ name: DNSName, externalName: Bool = false, podNamespace: Bool = false) {
        modify(name) { node in
            if externalName { node.isExternalName = true }
            if podNamespace { node.isPodNamespace = true }
        }
    }

    /// Every record list in an array of its own size, for the model that keeps them.
    mutating func trim() {
        for index in nodes.indices { nodes.values[index].records.trim() }
    }

    private mutating func modify(_ name: DNSName, _ change: (inout Node) -> Void) {
        change(&nodes[name, default: Node()])
    }
}
