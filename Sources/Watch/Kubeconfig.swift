import Foundation
import Yams

/// The part of a kubeconfig file that says how to reach the current context's API server.
struct Kubeconfig: Decodable {
    struct Named<T: Decodable>: Decodable {
        var name: String
        var value: T

        enum CodingKeys: String, CodingKey { case name, cluster, user, context }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            let key = [CodingKeys.cluster, .user, .context].first { container.contains($0) } ?? .cluster
            value = try container.decode(T.self, forKey: key)
        }
    }

    struct Cluster: Decodable {
        var server: String
        var certificateAuthority: String?
        var certificateAuthorityData: String?
        var insecureSkipTLSVerify: Bool?

        enum CodingKeys: String, CodingKey {
            case server
            case certificateAuthority = "certificate-authority"
            case certificateAuthorityData = "certificate-authority-data"
            case insecureSkipTLSVerify = "insecure-skip-tls-verify"
        }
    }

    struct User: Decodable {
        var token: String?
        var tokenFile: String?
        var clientCertificate: String?
        var clientCertificateData: String?
        var clientKey: String?
        var clientKeyData: String?

        enum CodingKeys: String, CodingKey {
            case token
            case tokenFile = "tokenFile"
            case clientCertificate = "client-certificate"
            case clientCertificateData = "client-certificate-data"
            case clientKey = "client-key"
            case clientKeyData = "client-key-data"
        }
    }

    struct Context: Decodable {
        var cluster: String
        var user: String?
    }

    var currentContext: String?
    var clusters: [Named<Cluster>]
    var users: [Named<User>]?
    var contexts: [Named<Context>]

    enum CodingKeys: String, CodingKey {
        case currentContext = "current-context"
        case clusters, users, contexts
    }
}

extension WatchSource {
    /// The current context of a kubeconfig file (as `kubectl` reads it).
    public static func kubeconfig(path: String) throws(WatchSourceError) -> WatchSource {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw WatchSourceError("cannot read kubeconfig \(path)")
        }
        let config: Kubeconfig
        do {
            config = try YAMLDecoder().decode(Kubeconfig.self, from: text)
        } catch {
            throw WatchSourceError("kubeconfig \(path) is not valid: \(error)")
        }
        let directory = (path as NSString).deletingLastPathComponent
        guard let contextName = config.currentContext ?? config.contexts.first?.name,
            let context = config.contexts.first(where: { $0.name == contextName })?.value,
            let cluster = config.clusters.first(where: { $0.name == context.cluster })?.value
        else {
            throw WatchSourceError("kubeconfig \(path) has no usable current context")
        }
        let user = config.users?.first { $0.name == context.user }?.value
        func bytes(data: String?, file: String?) throws(WatchSourceError) -> [UInt8]? {
            if let data {
                guard let decoded = Data(base64Encoded: data) else { throw WatchSourceError("kubeconfig \(path): bad base64") }
                return Array(decoded)
            }
            guard let file else { return nil }
            let full = file.hasPrefix("/") ? file : directory + "/" + file
            guard let contents = FileManager.default.contents(atPath: full) else {
                throw WatchSourceError("kubeconfig \(path): cannot read \(full)")
            }
            return Array(contents)
        }
        var token = user?.token
        if token == nil, let tokenFile = user?.tokenFile, let contents = try bytes(data: nil, file: tokenFile) {
            token = String(decoding: contents, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var tls: TLSConfiguration?
        if cluster.server.hasPrefix("https") {
            tls = try WatchSource.tls(
                caPEM: try bytes(data: cluster.certificateAuthorityData, file: cluster.certificateAuthority),
                clientCertificatePEM: try bytes(data: user?.clientCertificateData, file: user?.clientCertificate),
                clientKeyPEM: try bytes(data: user?.clientKeyData, file: user?.clientKey),
                insecure: cluster.insecureSkipTLSVerify ?? false)
        }
        return WatchSource(server: cluster.server, token: token, tls: tls)
    }
}

import NIOSSL
