import ClusterModel
import DNSWire

/// Everything the query path reads: every name of every zone with its prebuilt answers.
/// Immutable once built; a new snapshot replaces the old one as a whole.
public final class ZoneSnapshot: Sendable {
    let table: NameTable
    let entries: [NameEntry]
    let types: [TypeAnswer]
    let answers: [CompiledAnswer]
    let bytes: [UInt8]
    let cuts: [Cut]
    let zones: [ZoneInfo]
    let templates: Templates
    /// Autopath: the namespace of each known pod address (empty when autopath is off).
    let clients: ClientNamespaces
    /// Entry number → lower-case wire name of the out-of-zone target its CNAME chain ends at.
    let externalTargets: [Int32: [UInt8]]

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

    public var nameCount: Int { entries.count }
    /// Pod addresses whose namespace autopath knows.
    public var autopathClientCount: Int { clients.byAddress.count }

    /// Per-query templates: bytes made by ldns once, patched per query.
    struct Templates: Sendable {
        /// RFC 8482 answer to ANY: one HINFO "RFC8482" "" owned by the question name.
        var anyBody: [UInt8]
        /// A and AAAA owned by the question name; the address is the last 4 / 16 bytes.
        var podA: [UInt8]
        var podAAAA: [UInt8]
    }

    init(
        table: NameTable, entries: [NameEntry], types: [TypeAnswer], compiler: AnswerCompiler,
        zones: [ZoneInfo], templates: Templates, serial: UInt32, synced: Bool,
        pods: ZoneConfiguration.PodsMode, problems: [String], clients: ClientNamespaces = .empty,
        externalTargets: [Int32: [UInt8]] = [:], ttl: UInt32 = 5
    ) {
        self.ttl = ttl
        self.clients = clients
        self.externalTargets = externalTargets
        self.table = table
        self.entries = entries
        self.types = types
        self.answers = compiler.answers
        self.bytes = compiler.bytes
        self.cuts = compiler.cuts
        self.zones = zones
        self.templates = templates
        self.serial = serial
        self.synced = synced
        self.pods = pods
        self.problems = problems
    }

    /// An empty, not yet synced snapshot: SERVFAIL for the cluster zone until the first list.
    public static func unsynced(configuration: ZoneConfiguration, staticZones: [StaticZone] = []) throws(DNSWireError) -> ZoneSnapshot {
        try SnapshotBuilder(configuration: configuration)
            .build(state: ClusterState(), staticZones: staticZones, serial: 1, synced: false)
    }
}
