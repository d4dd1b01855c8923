import ClusterModel
import DNSWire

/// Everything the query path reads: every name of every zone with its prebuilt answers, in
/// shards by name hash. Immutable once built; the next snapshot shares the shards that did not
/// change.
public final class ZoneSnapshot: Sendable {
    let shards: [ZoneShard]
    let shardMask: Int
    /// The PTR answers of the cluster's addresses, which the shards do not hold.
    let reverse: ReverseTable
    let zones: [ZoneInfo]
    let templates: Templates
    /// Autopath: the namespace of each known pod address (empty when autopath is off).
    let clients: ClientNamespaces

    /// TTL of the cluster zone's records (autopath's CNAMEs use it too).
    let ttl: UInt32
    /// SOA serial of the cluster zone.
    public let serial: UInt32
    /// False until the registry has been listed once: would-be NXDOMAIN cluster names get
    /// SERVFAIL meanwhile.
    public let synced: Bool
    public let pods: ZoneConfiguration.PodsMode
    /// Objects that could not be served, one line each, with the reason.
    public let problems: [String]
    /// Names answered: the shards' and the addresses' reverse names.
    public let nameCount: Int
    let shardNameCount: Int
    /// Names compiled for this snapshot (the rest were copied or shared): what a change cost.
    public let compiledNames: Int

    /// Bytes of prebuilt answers and name tables, over all shards.
    public var byteCount: Int { shards.reduce(0) { $0 + $1.byteCount } + reverse.byteCount }

    /// Pod addresses whose namespace autopath knows.
    public var autopathClientCount: Int { clients.count }

    /// Per-query templates: bytes made by ldns once, patched per query.
    struct Templates: Sendable {
        /// RFC 8482 answer to ANY: one HINFO "RFC8482" "" owned by the question name.
        var anyBody: [UInt8]
        /// A and AAAA owned by the question name; the address is the last 4 / 16 bytes.
        var podA: [UInt8]
        var podAAAA: [UInt8]
    }

    init(
        shards: [ZoneShard], reverse: ReverseTable, zones: [ZoneInfo], templates: Templates, serial: UInt32, synced: Bool,
        pods: ZoneConfiguration.PodsMode, problems: [String], clients: ClientNamespaces, ttl: UInt32,
        compiledNames: Int
    ) {
        precondition(shards.count.nonzeroBitCount == 1, "shard count must be a power of two")
        self.shards = shards
        self.shardMask = shards.count - 1
        self.reverse = reverse
        self.ttl = ttl
        self.clients = clients
        self.zones = zones
        self.templates = templates
        self.serial = serial
        self.synced = synced
        self.pods = pods
        self.problems = problems
        self.shardNameCount = shards.reduce(0) { $0 + $1.count }
        self.nameCount = shardNameCount + reverse.count
        self.compiledNames = compiledNames
    }

    /// The shard a name's hash puts it in: bits above those the shard's own table uses.
    @inline(__always)
    static func shardIndex(hash: Int, mask: Int) -> Int {
        (hash >> 24) & mask
    }

    /// An empty, not yet synced snapshot: SERVFAIL for the cluster zone until the first list.
    public static func unsynced(configuration: ZoneConfiguration, staticZones: [StaticZone] = []) throws(DNSWireError) -> ZoneSnapshot {
        try SnapshotBuilder(configuration: configuration)
            .build(state: ClusterState(), staticZones: staticZones, serial: 1, synced: false)
    }
}

extension ZoneSnapshot.Templates {
    /// The templates of `configuration`'s zone and TTL: made from the configuration alone, so a
    /// snapshot read back from a file makes them again rather than trusting stored bytes.
    init(_ configuration: ZoneConfiguration) throws(DNSWireError) {
        let name = configuration.zone
        let ttl = configuration.ttl
        self.init(
            anyBody: try AnswerCompiler.body(
                name: name, type: RecordType.any,
                record: Record(owner: name, ttl: ttl, data: .hinfo(cpu: "RFC8482", os: ""))),
            podA: try AnswerCompiler.body(
                name: name, type: RecordType.a, record: Record(owner: name, ttl: ttl, data: .a([0, 0, 0, 0]))),
            podAAAA: try AnswerCompiler.body(
                name: name, type: RecordType.aaaa,
                record: Record(owner: name, ttl: ttl, data: .aaaa(AddressBytes([UInt8](repeating: 0, count: 16))))))
    }
}
