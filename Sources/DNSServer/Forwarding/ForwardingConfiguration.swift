import ClusterModel
/// How names outside every zone we serve are resolved (SPEC.md section 4).
public struct ForwardingConfiguration: Sendable, Equatable {
    /// Where the upstream list came from: a loop found in it is fatal when a person typed it,
    /// and only a warning when it came from the host's resolv.conf.
    public enum Source: Sendable, Equatable {
        /// `--upstream` (or its environment twin).
        case flags
        /// The host's `/etc/resolv.conf`, because no `--upstream` was given.
        case resolvConf
    }

    /// Upstream resolvers, by IP address (`--upstream`); empty turns forwarding off, and such
    /// names get REFUSED.
    public var upstreams: [HostPort]
    public var source: Source
    /// How long one upstream gets to answer before the next one is asked (`--upstream-timeout`).
    public var timeout: Duration
    /// Cached forwarded answers per event loop, in entries (`--cache-size`); 0 turns the cache off.
    public var cacheSize: Int
    /// Forwarded queries waiting for an upstream, all loops together (`--max-in-flight`);
    /// beyond it a query gets REFUSED at once.
    public var maxInFlight: Int
    /// The longest a forwarded answer is cached, whatever its TTL says.
    public var maxCacheTTL: UInt32
    /// Queries sent from one UDP port before a loop moves to a new one (the kernel's random
    /// pick), so that a spoofer has the port to guess besides the 16-bit ID.
    public var queriesPerSocket: Int

    public init(
        upstreams: [HostPort] = [], source: Source = .flags, timeout: Duration = .seconds(2),
        cacheSize: Int = 10_000, maxInFlight: Int = 1000, maxCacheTTL: UInt32 = 3600, queriesPerSocket: Int = 500
    ) {
        self.upstreams = upstreams
        self.source = source
        self.timeout = timeout
        self.cacheSize = cacheSize
        self.maxInFlight = maxInFlight
        self.maxCacheTTL = maxCacheTTL
        self.queriesPerSocket = max(1, queriesPerSocket)
    }

    /// Forwarding off: names outside our zones get REFUSED.
    public static let off = ForwardingConfiguration()

    /// True when there is an upstream to forward to.
    public var isEnabled: Bool { !upstreams.isEmpty }
}
