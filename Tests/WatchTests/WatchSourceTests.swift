import Foundation
import Testing
import Watch

/// Reading where to follow: kubeconfig files and the in-cluster service account.
@Suite("Watch sources")
struct WatchSourceTests {
    static func directory() throws -> String {
        let path = NSTemporaryDirectory() + "clusterdns-watchsource-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func kubeconfigCurrentContextWithATokenFile() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "s3cret\n".write(toFile: directory + "/token", atomically: true, encoding: .utf8)
        let config = """
            apiVersion: v1
            kind: Config
            current-context: proxy
            clusters:
              - name: other
                cluster: {server: "https://10.0.0.1:6443"}
              - name: local
                cluster: {server: "http://127.0.0.1:8001"}
            users:
              - name: me
                user: {tokenFile: token}
            contexts:
              - name: other
                context: {cluster: other, user: me}
              - name: proxy
                context: {cluster: local, user: me}
            """
        try config.write(toFile: directory + "/config", atomically: true, encoding: .utf8)
        let source = try WatchSource.kubeconfig(path: directory + "/config")
        #expect(source.server == "http://127.0.0.1:8001")
        #expect(source.token == "s3cret")
        #expect(source.tls == nil)
    }

    @Test func kubeconfigHTTPSWithoutCAVerificationStillGetsTLS() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = """
            current-context: c
            clusters: [{name: k, cluster: {server: "https://127.0.0.1:6443/", insecure-skip-tls-verify: true}}]
            users: [{name: u, user: {token: abc}}]
            contexts: [{name: c, context: {cluster: k, user: u}}]
            """
        try config.write(toFile: directory + "/config", atomically: true, encoding: .utf8)
        let source = try WatchSource.kubeconfig(path: directory + "/config")
        #expect(source.server == "https://127.0.0.1:6443")
        #expect(source.token == "abc")
        #expect(source.tls?.certificateVerification == Optional.some(.none))
    }

    @Test func unusableKubeconfigsAreClearErrors() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(throws: WatchSourceError.self) { try WatchSource.kubeconfig(path: directory + "/missing") }
        try "current-context: nope\nclusters: []\ncontexts: []\n".write(
            toFile: directory + "/config", atomically: true, encoding: .utf8)
        #expect { try WatchSource.kubeconfig(path: directory + "/config") } throws: { error in
            "\(error)".contains("no usable current context")
        }
    }

    @Test func inClusterNeedsTheServiceEnvironment() throws {
        #expect { try WatchSource.inCluster(environment: [:], directory: "/nonexistent") } throws: { error in
            "\(error)".contains("KUBERNETES_SERVICE_HOST")
        }
        let environment = ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"]
        #expect { try WatchSource.inCluster(environment: environment, directory: "/nonexistent") } throws: { error in
            "\(error)".contains("service account token")
        }
    }
}
