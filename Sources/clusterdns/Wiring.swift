import ClusterModel
import ClusterZone
import DNSServer
import DNSWire
import Foundation
import Logging
import Prometheus
import Registry
import ServiceLifecycle
import Watch

/// Flags → configurations → the services that run: DNS always; the embedded registry and the
/// watch feed that follows it by default; or a feed from another API; or fixed manifests.
struct Wiring {
    let command: ClusterDNSCommand
    let registry: PrometheusCollectorRegistry
    let logger: Logger

    func serviceGroup() async throws -> ServiceGroup {
        var configuration = try dnsConfiguration()
        let status = ServerStatus()
        let feedStatus = FeedStatusBox()
        guard let http = HostPort(command.http) else {
            throw ServerError.configuration("--http \(command.http): expected HOST:PORT")
        }
        var sourceServices: [any ServiceLifecycle.Service] = []
        var feed: AsyncStream<FeedUpdate>?
        if manifests == nil {
            // Every delta counts: the DNS side merges them, none may be dropped.
            let (stream, output) = AsyncStream.makeStream(of: FeedUpdate.self, bufferingPolicy: .unbounded)
            feed = stream
            // Pods are watched for verified pod records and for autopath's address → namespace map.
            let options = FeedOptions(
                includePods: command.pods == ZoneConfiguration.PodsMode.verified.rawValue || command.autopath == "on",
                endpointPodNames: command.endpointPodNames)
            let source: @Sendable () async -> WatchSource?
            // Only our own flag or its twin: a KUBECONFIG left in a shell must not silently
            // turn the default embedded registry into someone's real cluster.
            if let kubeconfig = command.kubeconfig ?? environment("KUBECONFIG") {
                let followed = try WatchSource.kubeconfig(path: kubeconfig)
                source = { followed }
            } else if command.source == "embedded" {
                let (registry, registrySource) = try await embeddedRegistry()
                sourceServices.append(registry)
                source = registrySource
                if command.snapshotCache == "on" {
                    configuration.savedSnapshot = SavedSnapshot(
                        path: (command.dataDir as NSString).appendingPathComponent("dns-snapshot.bin"),
                        source: try await registry.storeIdentity(),
                        isCurrent: { await registry.isUnchanged(since: $0) })
                }
            } else if command.source == "in-cluster" {
                let followed = try WatchSource.inCluster()
                source = { followed }
            } else {
                let followed = try sourceURL(command.source)
                source = { followed }
            }
            sourceServices.append(
                FeedService(source: source, options: options, logger: logger, output: output, status: feedStatus))
        }
        let server = DNSServer(configuration: configuration, logger: logger)
        // Graceful shutdown runs in reverse order: HTTP first here, so it stops last and
        // answers probes through the DNS lame duck.
        var services: [any ServiceLifecycle.Service] = [
            HTTPService(
                host: http.host, port: http.port, status: status, feed: feedStatus,
                exporter: MetricsExporter(
                    emitRegistry: { registry.emitToString() }, status: status, feed: feedStatus,
                    autopath: server.autopathStatistics),
                logger: logger),
        ]
        services += sourceServices
        services.append(
            DNSService(
                server: server, feed: feed, status: status, lameDuck: .milliseconds(Int64(command.lameduck * 1000)),
                logger: logger))
        return ServiceGroup(configuration: .init(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    }

    private var manifests: String? { command.manifests ?? environment("MANIFESTS") }

    private func dnsConfiguration() throws -> ServerConfiguration {
        let zone = try ZoneConfiguration(
            zone: DNSName(command.zone), ttl: UInt32(command.ttl),
            pods: ZoneConfiguration.PodsMode(rawValue: command.pods) ?? .insecure,
            endpointPodNames: command.endpointPodNames, ignoreEmptyService: command.ignoreEmptyService,
            autopath: command.autopath == "on")
        guard let dns = HostPort(command.dns) else { throw ServerError.configuration("--dns \(command.dns): expected HOST:PORT") }
        return ServerConfiguration(
            dns: dns, zone: zone, udpSize: command.udpSize, zonesDirectory: command.zonesDir,
            manifests: manifests, threads: command.threads, tcpMaxConnections: command.tcpMaxConnections,
            tcpIdleTimeout: .milliseconds(Int64(command.tcpIdleTimeout * 1000)), forwarding: command.forwarding(logger: logger),
            logQueries: command.logQueries)
    }

    /// The registry, and how the feed reaches it once it listens (over loopback HTTP: the same
    /// list+watch protocol as for any other source).
    private func embeddedRegistry() async throws -> (RegistryServer, @Sendable () async -> WatchSource?) {
        guard let cidr = CIDR(parsing: command.serviceCidr) else {
            throw ServerError.configuration("--service-cidr \(command.serviceCidr): expected a range such as 10.96.0.0/16")
        }
        var configuration = RegistryConfiguration(dataDirectory: command.dataDir, serviceCIDR: cidr)
        do {
            try configuration.setAddress(command.api)
            if let file = command.apiTokenFile ?? environment("API_TOKEN_FILE") { try configuration.loadToken(file: file) }
            try configuration.validate()
        } catch {
            throw ServerError.configuration(error.description)
        }
        let (ports, portOutput) = AsyncStream.makeStream(of: Int.self, bufferingPolicy: .bufferingNewest(1))
        let registry = try await RegistryServer(configuration: configuration, logger: logger) { port in
            portOutput.yield(port)
        }
        let host = Self.connectHost(configuration.host)
        let token = configuration.token
        return (registry, {
            for await port in ports { return WatchSource(server: "http://\(host):\(port)", token: token) }
            return nil
        })
    }

    private func sourceURL(_ url: String) throws -> WatchSource {
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw ServerError.configuration("--source \(url): expected embedded, in-cluster, or an http(s):// URL")
        }
        var token: String?
        if let file = command.sourceTokenFile ?? environment("SOURCE_TOKEN_FILE") {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ServerError.configuration("--source-token-file \(file): cannot read the file")
            }
            token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var ca: [UInt8]?
        if let file = command.sourceCa ?? environment("SOURCE_CA") {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ServerError.configuration("--source-ca \(file): cannot read the file")
            }
            ca = Array(data)
        }
        let tls = url.hasPrefix("https://") ? try WatchSource.tls(caPEM: ca) : nil
        return WatchSource(server: url, token: token, tls: tls)
    }

    /// Where to connect for a listen address: loopback for the wildcard addresses.
    static func connectHost(_ host: String) -> String {
        switch host {
        case "0.0.0.0": return "127.0.0.1"
        case "::", "[::]": return "[::1]"
        default: return host.contains(":") ? "[\(host)]" : host
        }
    }

    private func environment(_ name: String) -> String? {
        ProcessInfo.processInfo.environment["CLUSTERDNS_" + name]
    }
}
