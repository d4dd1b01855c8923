import ClusterModel
import Foundation

/// Everything the embedded registry needs to start: where it listens, where it keeps its data,
/// which addresses it hands out, and its limits.
public struct RegistryConfiguration: Sendable {
    /// Host to listen on (`127.0.0.1` by default: the API is loopback-only unless told).
    public var host: String
    /// Port to listen on; 0 picks a free port (tests), reported through `onListening`.
    public var port: Int
    /// Directory holding `registry.sqlite` (created when missing).
    public var dataDirectory: String
    /// Cluster IPs are allocated from, and must lie inside, this range.
    public var serviceCIDR: CIDR
    /// When set, every write (POST, PUT, DELETE) needs `Authorization: Bearer <token>`.
    public var token: String?
    /// Largest request body accepted, in bytes (the API server allows 3 MiB).
    public var maxBodyBytes: Int
    /// Most watch streams open at once; more get 429 TooManyRequests.
    public var maxWatchers: Int
    /// How many events are kept for watches that resume from an older resourceVersion.
    public var historyLimit: Int
    /// How often a watch with `allowWatchBookmarks=true` gets a BOOKMARK.
    public var bookmarkInterval: Duration
    /// How long a watch lasts when the client gives no `timeoutSeconds`.
    public var defaultWatchTimeout: Duration

    public init(
        host: String = "127.0.0.1", port: Int = 8053, dataDirectory: String,
        serviceCIDR: CIDR = CIDR.defaultServiceCIDR, token: String? = nil,
        maxBodyBytes: Int = 3 * 1024 * 1024, maxWatchers: Int = 100, historyLimit: Int = 1000,
        bookmarkInterval: Duration = .seconds(60), defaultWatchTimeout: Duration = .seconds(1800)
    ) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.serviceCIDR = serviceCIDR
        self.token = token
        self.maxBodyBytes = maxBodyBytes
        self.maxWatchers = maxWatchers
        self.historyLimit = historyLimit
        self.bookmarkInterval = bookmarkInterval
        self.defaultWatchTimeout = defaultWatchTimeout
    }

    /// Parses `HOST:PORT` (`127.0.0.1:8053`, `[::1]:8053`) into `host` and `port`.
    public mutating func setAddress(_ address: String) throws(RegistryConfigurationError) {
        guard let parsed = HostPort(address) else {
            throw RegistryConfigurationError("--api \(address): expected HOST:PORT, e.g. 127.0.0.1:8053")
        }
        host = parsed.host
        port = parsed.port
    }

    /// Reads the bearer token from a file (surrounding white space removed).
    public mutating func loadToken(file: String) throws(RegistryConfigurationError) {
        guard let data = FileManager.default.contents(atPath: file),
              let text = String(data: data, encoding: .utf8)
        else {
            throw RegistryConfigurationError("--api-token-file \(file): cannot read the file")
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else {
            throw RegistryConfigurationError("--api-token-file \(file): the file is empty")
        }
        self.token = token
    }

    /// Whether the API listens on a loopback address only.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// Refuses a configuration that would accept unauthenticated writes from the network.
    public func validate() throws(RegistryConfigurationError) {
        if !isLoopback && token == nil {
            throw RegistryConfigurationError(
                "--api \(host):\(port) is not a loopback address: give --api-token-file so that writes need a token")
        }
    }
}

/// A configuration value that cannot be used, with the flag it came from.
public struct RegistryConfigurationError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(_ description: String) { self.description = description }
}
