import DNSWire

/// How cluster objects become DNS names (SPEC.md sections 2 and 3).
public struct ZoneConfiguration: Sendable, Equatable {
    /// Pod records `a-b-c-d.<ns>.pod.<zone>`.
    public enum PodsMode: String, Sendable, CaseIterable {
        /// Answer any IP in the name when the namespace exists.
        case insecure
        /// Answer only IPs of pods the registry knows in that namespace.
        case verified
        /// Pod records are NXDOMAIN.
        case disabled
    }

    public var zone: DNSName
    public var ttl: UInt32
    public var pods: PodsMode
    public var endpointPodNames: Bool
    public var ignoreEmptyService: Bool
    /// The name server name of the zone's NS and SOA records (default `ns.dns.<zone>`).
    public var nameServer: DNSName
    /// Address of `nameServer` when the registry has no `kube-system/kube-dns` service to take
    /// it from.
    public var nameServerAddress: IPAddressBytes?
    /// Server-side search path (`--autopath`, SPEC.md section 5): the snapshot learns which
    /// namespace each pod address lives in, and misses of a pod's search walk are finished by
    /// the server in one round trip.
    public var autopath: Bool

    public init(
        zone: DNSName, ttl: UInt32 = 5, pods: PodsMode = .insecure, endpointPodNames: Bool = false,
        ignoreEmptyService: Bool = false, nameServer: DNSName? = nil,
        nameServerAddress: IPAddressBytes? = nil, autopath: Bool = true
    ) throws(DNSWireError) {
        self.autopath = autopath
        self.zone = zone
        self.ttl = ttl
        self.pods = pods
        self.endpointPodNames = endpointPodNames
        self.ignoreEmptyService = ignoreEmptyService
        if let nameServer {
            self.nameServer = nameServer
        } else {
            self.nameServer = try zone.prepending("dns").prepending("ns")
        }
        self.nameServerAddress = nameServerAddress
    }

    /// TTL of SOA records: min(ttl, 300) (SPEC.md section 2).
    public var soaTTL: UInt32 { min(ttl, 300) }

    /// The zones the registry's records go in: the cluster zone and both reverse trees.
    var zones: [DNSName] { [zone, ReverseName.ipv4Zone, ReverseName.ipv6Zone] }
}

/// An address as the bytes of an A (4) or AAAA (16) record.
public typealias IPAddressBytes = [UInt8]
