import ClusterModel
import ClusterZone

/// Everything `clusterdns` needs to serve DNS, resolved from flags and environment.
public struct ServerConfiguration: Sendable {
    /// Where UDP and TCP listen (`--dns`).
    public var dns: HostPort
    public var zone: ZoneConfiguration
    /// Largest UDP response we send (`--udp-size`).
    public var udpSize: Int
    /// Static zone files (`--zones-dir`): every `*.zone` file in it.
    public var zonesDirectory: String
    /// Registry objects read from manifests (`--manifests`), when given.
    public var manifests: String?
    /// How often zone files and manifests are checked for changes.
    public var reloadInterval: Duration
    /// Event loops, each with its own UDP socket (SO_REUSEPORT).
    public var threads: Int
    /// TCP: connections at once, and how long an idle one stays open.
    public var tcpMaxConnections: Int
    public var tcpIdleTimeout: Duration
    /// Upstreams, cache and limits for names outside our zones; ``ForwardingConfiguration/off``
    /// answers them REFUSED.
    public var forwarding: ForwardingConfiguration
    /// One log line per answered query (`--log-queries`).
    public var logQueries: Bool
    /// How long open TCP connections get to finish at shutdown, once no new ones are accepted.
    public var tcpDrainTimeout: Duration
    /// Keep the last synced snapshot at shutdown and serve it at the next start while the
    /// source is unchanged (nil: always build from the source).
    public var savedSnapshot: SavedSnapshot?

    public init(
        dns: HostPort, zone: ZoneConfiguration, udpSize: Int = 1232, zonesDirectory: String = "zones",
        manifests: String? = nil, reloadInterval: Duration = .seconds(1), threads: Int,
        tcpMaxConnections: Int = 1000, tcpIdleTimeout: Duration = .seconds(10),
        forwarding: ForwardingConfiguration = .off, logQueries: Bool = false, tcpDrainTimeout: Duration = .seconds(2)
    ) {
        self.logQueries = logQueries
        self.tcpDrainTimeout = tcpDrainTimeout
        self.dns = dns
        self.zone = zone
        self.udpSize = udpSize
        self.zonesDirectory = zonesDirectory
        self.manifests = manifests
        self.reloadInterval = reloadInterval
        self.threads = threads
        self.tcpMaxConnections = tcpMaxConnections
        self.tcpIdleTimeout = tcpIdleTimeout
        self.forwarding = forwarding
    }
}
