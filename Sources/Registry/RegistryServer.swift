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
/// ```swift
/// var configuration = RegistryConfiguration(dataDirectory: "/var/lib/clusterdns")
/// try configuration.setAddress("127.0.0.1:8053")
/// let registry = try await RegistryServer(configuration: configuration, logger: logger)
/// try await registry.run()   // or add it to a ServiceGroup: it is a `Service`
/// ```
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
}
