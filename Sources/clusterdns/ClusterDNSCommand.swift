import ClusterModel
import ArgumentParser
import ClusterZone
import DNSServer
import DNSWire
import Foundation
import Logging
import Metrics
import Prometheus

/// `clusterdns`: flags (each with a CLUSTERDNS_* environment twin) → configuration → run.
@main
struct ClusterDNSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clusterdns",
        abstract: "A cluster DNS server: Kubernetes service discovery names over UDP and TCP.")

    @Option(help: "DNS listen address, UDP and TCP (env CLUSTERDNS_DNS).")
    var dns = env("DNS", "127.0.0.1:53")

    @Option(help: "The cluster domain (env CLUSTERDNS_ZONE).")
    var zone = env("ZONE", "cluster.local")

    @Option(help: "TTL of cluster records, 0-3600 seconds (env CLUSTERDNS_TTL).")
    var ttl = Int(env("TTL", "5")) ?? -1

    @Option(help: "Pod records: insecure, verified or disabled (env CLUSTERDNS_PODS).")
    var pods = env("PODS", "insecure")

    @Option(help: "Server-side search path for pods' short names, on or off (env CLUSTERDNS_AUTOPATH).")
    var autopath = env("AUTOPATH", "on")

    @Flag(help: "Name endpoints without a hostname by their pod name, not their dashed IP.")
    var endpointPodNames = env("ENDPOINT_POD_NAMES", "false") == "true"

    @Flag(help: "NXDOMAIN for ClusterIP services without ready endpoints.")
    var ignoreEmptyService = env("IGNORE_EMPTY_SERVICE", "false") == "true"

    @Option(help: "Directory of static zone files, *.zone (env CLUSTERDNS_ZONES_DIR).")
    var zonesDir = env("ZONES_DIR", "zones")

    @Option(help: "Directory of the embedded registry's SQLite store (env CLUSTERDNS_DATA_DIR).")
    var dataDir = env("DATA_DIR", "data")

    @Option(
        help: """
            Keep the compiled answers in --data-dir at shutdown and serve them at once at the next \
            start while the embedded registry is unchanged, on or off (env CLUSTERDNS_SNAPSHOT_CACHE).
            """)
    var snapshotCache = env("SNAPSHOT_CACHE", "on")

    @Option(help: "Embedded registry API address, Kubernetes-style REST + watch (env CLUSTERDNS_API).")
    var api = env("API", "127.0.0.1:8053")

    @Option(help: "Range the embedded registry allocates cluster IPs from (env CLUSTERDNS_SERVICE_CIDR).")
    var serviceCidr = env("SERVICE_CIDR", "10.96.0.0/16")

    @Option(help: "File with the bearer token registry writes must present (env CLUSTERDNS_API_TOKEN_FILE).")
    var apiTokenFile: String?

    @Option(help: "Where cluster objects come from: embedded, in-cluster, or the URL of a Kubernetes API, kubectl proxy or another ClusterDNS --api (env CLUSTERDNS_SOURCE).")
    var source = env("SOURCE", "embedded")

    @Option(help: "Follow the current context of this kubeconfig file (env CLUSTERDNS_KUBECONFIG).")
    var kubeconfig: String?

    @Option(help: "Bearer token file for --source URL (env CLUSTERDNS_SOURCE_TOKEN_FILE).")
    var sourceTokenFile: String?

    @Option(help: "CA certificate (PEM) for an https --source URL (env CLUSTERDNS_SOURCE_CA).")
    var sourceCa: String?

    @Option(help: "Serve the objects of these Kubernetes manifests, a file or directory of YAML/JSON (env CLUSTERDNS_MANIFESTS).")
    var manifests: String?

    @Option(help: "Largest UDP response in bytes, 512-65535 (env CLUSTERDNS_UDP_SIZE).")
    var udpSize = Int(env("UDP_SIZE", "1232")) ?? -1

    @Option(
        help: "UDP worker threads, each with its own socket, and as many event loops for TCP and forwarding (env CLUSTERDNS_THREADS; default: one per core)."
    )
    var threads = Int(env("THREADS", "\(ProcessInfo.processInfo.activeProcessorCount)")) ?? -1

    @Option(
        help: """
            Upstream resolver for names outside our zones, IP[:PORT], repeatable; 'none' turns \
            forwarding off (env CLUSTERDNS_UPSTREAM, comma-separated; default: the nameservers of /etc/resolv.conf).
            """)
    var upstream: [String] = envList("UPSTREAM")

    @Option(help: "Seconds one upstream gets to answer before the next is asked (env CLUSTERDNS_UPSTREAM_TIMEOUT).")
    var upstreamTimeout = Double(env("UPSTREAM_TIMEOUT", "2")) ?? -1

    @Option(help: "Forwarded answers cached per event loop, in entries; 0 turns the cache off (env CLUSTERDNS_CACHE_SIZE).")
    var cacheSize = Int(env("CACHE_SIZE", "10000")) ?? -1

    @Option(help: "Forwarded queries waiting for an upstream at once; beyond it REFUSED (env CLUSTERDNS_MAX_IN_FLIGHT).")
    var maxInFlight = Int(env("MAX_IN_FLIGHT", "1000")) ?? -1

    @Option(help: "TCP connections open at once; more are closed as soon as they are accepted (env CLUSTERDNS_TCP_MAX_CONNECTIONS).")
    var tcpMaxConnections = Int(env("TCP_MAX_CONNECTIONS", "1000")) ?? -1

    @Option(help: "Seconds a TCP connection may send nothing before it is closed (env CLUSTERDNS_TCP_IDLE_TIMEOUT).")
    var tcpIdleTimeout = Double(env("TCP_IDLE_TIMEOUT", "10")) ?? -1

    @Option(help: "HTTP address of /health, /ready and /metrics (env CLUSTERDNS_HTTP).")
    var http = env("HTTP", "127.0.0.1:9153")

    @Option(help: "Seconds DNS keeps answering after SIGTERM while /ready says 503 (env CLUSTERDNS_LAMEDUCK).")
    var lameduck = Double(env("LAMEDUCK", "5")) ?? -1

    @Flag(help: "Log one line per query: client proto qname qtype rcode flags size duration_us (env CLUSTERDNS_LOG_QUERIES).")
    var logQueries = env("LOG_QUERIES", "false") == "true"

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (env CLUSTERDNS_LOG_LEVEL).")
    var logLevel = env("LOG_LEVEL", "info")

    func validate() throws {
        guard HostPort(dns) != nil else { throw ValidationError("--dns must be HOST:PORT, got '\(dns)'") }
        guard HostPort(http) != nil else { throw ValidationError("--http must be HOST:PORT, got '\(http)'") }
        guard lameduck >= 0 && lameduck <= 300 else { throw ValidationError("--lameduck must be 0-300 seconds") }
        guard (0...3600).contains(ttl) else { throw ValidationError("--ttl must be 0-3600 seconds") }
        guard ZoneConfiguration.PodsMode(rawValue: pods) != nil else {
            throw ValidationError("--pods must be insecure, verified or disabled, got '\(pods)'")
        }
        guard autopath == "on" || autopath == "off" else {
            throw ValidationError("--autopath must be on or off, got '\(autopath)'")
        }
        guard snapshotCache == "on" || snapshotCache == "off" else {
            throw ValidationError("--snapshot-cache must be on or off, got '\(snapshotCache)'")
        }
        guard (512...65535).contains(udpSize) else { throw ValidationError("--udp-size must be 512-65535") }
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be 1-256") }
        guard (1...1_000_000).contains(tcpMaxConnections) else {
            throw ValidationError("--tcp-max-connections must be 1-1000000")
        }
        guard tcpIdleTimeout >= 0.1 && tcpIdleTimeout <= 3600 else {
            throw ValidationError("--tcp-idle-timeout must be 0.1-3600 seconds")
        }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level '\(logLevel)'") }
        guard (try? DNSName(zone)) != nil else { throw ValidationError("--zone '\(zone)' is not a domain name") }
        if upstream != ["none"] {
            for text in upstream where HostPort.upstream(text) == nil {
                throw ValidationError("--upstream must be IP[:PORT] or 'none', got '\(text)'")
            }
        }
        guard upstreamTimeout > 0 && upstreamTimeout <= 60 else {
            throw ValidationError("--upstream-timeout must be more than 0 and at most 60 seconds")
        }
        guard (0...10_000_000).contains(cacheSize) else { throw ValidationError("--cache-size must be 0-10000000") }
        // Query IDs are 16 bits: a loop cannot wait on more than that many at once.
        guard (1...60_000).contains(maxInFlight) else { throw ValidationError("--max-in-flight must be 1-60000") }
    }

    /// `--upstream` as given, `none`, or the host's resolv.conf when not given at all.
    func forwarding(logger: Logger) -> ForwardingConfiguration {
        var configuration = ForwardingConfiguration(
            timeout: .milliseconds(Int64(upstreamTimeout * 1000)), cacheSize: cacheSize, maxInFlight: maxInFlight)
        if upstream == ["none"] { return configuration }
        if !upstream.isEmpty {
            configuration.upstreams = upstream.compactMap(HostPort.upstream)
            return configuration
        }
        configuration.source = .resolvConf
        do {
            let found = try ResolvConf.nameservers()
            for skipped in found.skipped {
                logger.warning("resolv.conf nameserver \(skipped) is not an IP address, not used as an upstream")
            }
            configuration.upstreams = found.upstreams
        } catch {
            logger.warning("cannot read /etc/resolv.conf, forwarding is off: \(error)")
        }
        return configuration
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "clusterdns")
        // Once per process, before any metric is made: every swift-metrics metric lands here.
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .seconds(2), .seconds(5), .seconds(10), .seconds(30),
        ]
        MetricsSystem.bootstrap(factory)
        do {
            let group = try await Wiring(command: self, registry: registry, logger: logger).serviceGroup()
            try await group.run()
        } catch {
            Self.fail("\(error)")
        }
    }

    /// One line on stderr, exit status 1: what a person or a supervisor reads.
    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("clusterdns: \(message)\n".utf8))
        Foundation.exit(1)
    }
}

private func env(_ name: String, _ fallback: String) -> String {
    ProcessInfo.processInfo.environment["CLUSTERDNS_" + name] ?? fallback
}

/// A list flag's environment twin: comma- or space-separated values, empty when unset.
private func envList(_ name: String) -> [String] {
    env(name, "").split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
}
