import Foundation
import NIOSSL

/// Where the watch feed lists and watches from: the embedded registry, another ClusterDNS's
/// `--api`, `kubectl proxy`, or a Kubernetes API server (HTTPS with its CA and a token or a
/// client certificate).
public struct WatchSource: Sendable {
    /// Base URL without a trailing slash: `http://127.0.0.1:8053`, `https://10.96.0.1:443`.
    public var server: String
    public var token: String?
    public var tls: TLSConfiguration?

    public init(server: String, token: String? = nil, tls: TLSConfiguration? = nil) {
        var base = server
        while base.hasSuffix("/") { base.removeLast() }
        self.server = base
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
        self.tls = tls
    }

    /// TLS that trusts `caPEM` (or the system roots when nil) and presents a client
    /// certificate when both halves are given.
    public static func tls(
        caPEM: [UInt8]?, clientCertificatePEM: [UInt8]? = nil, clientKeyPEM: [UInt8]? = nil, insecure: Bool = false
    ) throws(WatchSourceError) -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        do {
            if let caPEM {
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(caPEM))
            }
            if let clientCertificatePEM, let clientKeyPEM {
                configuration.certificateChain = try NIOSSLCertificate.fromPEMBytes(clientCertificatePEM).map { .certificate($0) }
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: clientKeyPEM, format: .pem))
            }
        } catch {
            throw WatchSourceError("cannot read a certificate or key: \(error)")
        }
        if insecure { configuration.certificateVerification = .none }
        return configuration
    }

    /// In a pod: `KUBERNETES_SERVICE_HOST`/`_PORT` and the service account's token and CA.
    public static func inCluster(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        directory: String = "/var/run/secrets/kubernetes.io/serviceaccount"
    ) throws(WatchSourceError) -> WatchSource {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], let port = environment["KUBERNETES_SERVICE_PORT"] else {
            throw WatchSourceError("not in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set")
        }
        guard let token = FileManager.default.contents(atPath: directory + "/token"),
            let ca = FileManager.default.contents(atPath: directory + "/ca.crt")
        else {
            throw WatchSourceError("cannot read the service account token and CA under \(directory)")
        }
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return WatchSource(
            server: "https://\(hostPart):\(port)",
            token: String(decoding: token, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines),
            tls: try tls(caPEM: Array(ca)))
    }
}

public struct WatchSourceError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
