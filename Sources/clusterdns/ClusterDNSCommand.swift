import ArgumentParser
import ClusterZone
import DNSServer
import DNSWire
import Foundation
import Logging

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

    @Flag(help: "Name endpoints without a hostname by their pod name, not their dashed IP.")
    var endpointPodNames = env("ENDPOINT_POD_NAMES", "false") == "true"

    @Flag(help: "NXDOMAIN for ClusterIP services without ready endpoints.")
    var ignoreEmptyService = env("IGNORE_EMPTY_SERVICE", "false") == "true"

    @Option(help: "Directory of static zone files, *.zone (env CLUSTERDNS_ZONES_DIR).")
    var zonesDir = env("ZONES_DIR", "zones")

    @Option(help: "Directory of the embedded registry's store (env CLUSTERDNS_DATA_DIR).")
    var dataDir = env("DATA_DIR", "data")

    @Option(help: "Serve the objects of these Kubernetes manifests, a file or directory of YAML/JSON (env CLUSTERDNS_MANIFESTS).")
    var manifests: String?

    @Option(help: "Largest UDP response in bytes, 512-65535 (env CLUSTERDNS_UDP_SIZE).")
    var udpSize = Int(env("UDP_SIZE", "1232")) ?? -1

    @Option(help: "Event loops, each with its own UDP socket (env CLUSTERDNS_THREADS; default: one per core).")
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

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (env CLUSTERDNS_LOG_LEVEL).")
    var logLevel = env("LOG_LEVEL", "info")

    func validate() throws {
        guard HostPort(dns) != nil else { throw ValidationError("--dns must be HOST:PORT, got '\(dns)'") }
        guard (0...3600).contains(ttl) else { throw ValidationError("--ttl must be 0-3600 seconds") }
        guard ZoneConfiguration.PodsMode(rawValue: pods) != nil else {
            throw ValidationError("--pods must be insecure, verified or disabled, got '\(pods)'")
        }
        guard (512...65535).contains(udpSize) else { throw ValidationError("--udp-size must be 512-65535") }
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be 1-256") }
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
        let server: DNSServer
        do {
            let zoneConfiguration = try ZoneConfiguration(
                zone: DNSName(zone), ttl: UInt32(ttl), pods: ZoneConfiguration.PodsMode(rawValue: pods)!,
                endpointPodNames: endpointPodNames, ignoreEmptyService: ignoreEmptyService)
            server = DNSServer(
                configuration: ServerConfiguration(
                    dns: HostPort(dns)!, zone: zoneConfiguration, udpSize: udpSize, zonesDirectory: zonesDir,
                    manifests: manifests ?? ProcessInfo.processInfo.environment["CLUSTERDNS_MANIFESTS"],
                    threads: threads, forwarding: forwarding(logger: logger)),
                logger: logger)
        } catch {
            Self.fail("\(error)")
        }
        let task = Task { try await server.run() }
        let signals = SignalHandlers { task.cancel() }
        defer { signals.cancel() }
        do {
            try await task.value
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
