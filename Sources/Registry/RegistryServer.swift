import ClusterModel
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The embedded registry: SQLite store plus the Kubernetes-shaped HTTP API and watch fan-out.
///
/// Wiring from the server's flags (`--api`, `--data-dir`, `--service-cidr`, `--api-token-file`):
///
/// ```swift
/// var configuration = RegistryConfiguration(dataDirectory: dataDir)
/// try configuration.setAddress(api)                      // "127.0.0.1:8053"
/// guard let cidr = CIDR(parsing: serviceCIDR) else { ... }  // "10.96.0.0/16"
/// configuration.serviceCIDR = cidr
/// if let apiTokenFile { try configuration.loadToken(file: apiTokenFile) }
/// try configuration.validate()                           // non-loopback --api needs a token
/// let registry = try await RegistryServer(configuration: configuration, logger: logger)
/// // A `Service`: put it in the ServiceGroup next to DNS; graceful shutdown ends open watches.
/// ```
///
/// Errors from `init` and `run()` that are the operator's to fix (a locked data directory, a
/// port in use, a bad flag) are `RegistryConfigurationError`s with a one-line description.
public struct RegistryServer: ServiceLifecycle.Service {
    public let configuration: RegistryConfiguration
    let store: RegistryStore
    private let logger: Logger
    private let onListening: @Sendable (Int) async -> Void

    /// Opens the data directory (creating the database and the default namespaces on first
    /// use); the API starts listening in `run()`. `onListening` gets the bound port (useful
    /// with port 0).
    public init(
        configuration: RegistryConfiguration, logger: Logger = Logger(label: "clusterdns.registry"),
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        self.configuration = configuration
        self.logger = logger
        self.onListening = onListening
        store = try RegistryStore(
            directory: configuration.dataDirectory, serviceCIDR: configuration.serviceCIDR,
            historyLimit: configuration.historyLimit, logger: logger)
        try await store.seedIfEmpty()
    }

    /// Serves the API until the task is cancelled or the service group shuts down gracefully.
    public func run() async throws {
        let api = RegistryAPI(store: store, configuration: configuration, logger: logger)
        let logger = self.logger
        let onListening = self.onListening
        let app = Application(
            responder: api,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("registry API listening", metadata: ["registry.port": "\(port)"])
                await onListening(port)
            },
            logger: logger)
        let hub = store.hub
        defer { store.close() }
        // Watches would otherwise hold the graceful shutdown open until their timeouts.
        do {
            try await withGracefulShutdownHandler {
                try await app.run()
            } onGracefulShutdown: {
                hub.closeAll()
            }
        } catch let error as IOError where error.errnoCode == EADDRINUSE || error.errnoCode == EACCES {
            let reason = error.errnoCode == EADDRINUSE ? "the address is already in use" : "permission denied"
            throw RegistryConfigurationError(
                "--api \(configuration.host):\(configuration.port): cannot listen: \(reason)")
        }
    }

    /// The newest resourceVersion in the store.
    public func currentResourceVersion() async throws -> Int64 {
        try await store.currentResourceVersion()
    }

    /// A name for this store that another store (a new data directory, a restored backup of
    /// another one) does not share.
    public func storeIdentity() async throws -> String {
        "registry \(try await store.identity())"
    }

    /// Whether the store still holds exactly what a watch feed had when it was at `positions`
    /// (resource → resourceVersion): no object of each kind changed after its position. A
    /// resource this registry does not serve, or a version that is not a number, is "no".
    public func isUnchanged(since positions: [String: String]) async -> Bool {
        do {
            for (resource, version) in positions {
                guard let kind = KubeResource(rawValue: resource), let version = Int64(version),
                    try await store.unchanged(kind, since: version)
                else { return false }
            }
            return !positions.isEmpty
        } catch {
            logger.warning("cannot read the event history", metadata: ["error": "\(error)"])
            return false
        }
    }
}
