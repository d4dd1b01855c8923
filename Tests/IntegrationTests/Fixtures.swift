import Foundation

/// Paths of the checked-in example data and manifests that tests write for special cases.
enum Fixtures {
    /// The package root, found from this file's place in `Tests/IntegrationTests/`.
    static let packageRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// The seed cluster every README walk-through starts from.
    static let seedManifests = packageRoot + "/examples/seed.yaml"
    /// The shipped static zones (`example.internal`).
    static let zonesDirectory = packageRoot + "/zones"
    static let exampleZoneFile = zonesDirectory + "/example.internal.zone"

    /// A headless service `name.namespace` with `count` ready endpoints 10.244.100.1...count, no
    /// hostnames (so they are named by dashed IP), in one EndpointSlice.
    static func headlessService(name: String, namespace: String, endpoints count: Int) -> String {
        let endpoints = (1...count).map { "  - addresses: [\"10.244.100.\($0)\"]\n    conditions: {ready: true}" }
        return """
            apiVersion: v1
            kind: Namespace
            metadata:
              name: \(namespace)
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: \(name)
              namespace: \(namespace)
            spec:
              clusterIP: None
              ports:
                - {name: http, port: 80, protocol: TCP}
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata:
              name: \(name)-abcde
              namespace: \(namespace)
              labels:
                kubernetes.io/service-name: \(name)
            addressType: IPv4
            ports:
              - {name: http, port: 80, protocol: TCP}
            endpoints:
            \(endpoints.joined(separator: "\n"))

            """
    }

    /// The example zone with `gateway`'s IPv4 address replaced, for the reload tests.
    static func exampleZone(gatewayAddress: String) throws -> String {
        let text = try String(contentsOfFile: exampleZoneFile, encoding: .utf8)
        let original = "gateway IN A    192.0.2.1"
        guard text.contains(original) else {
            throw FixtureError("\(exampleZoneFile) no longer contains '\(original)': update the reload tests")
        }
        return text.replacingOccurrences(of: original, with: "gateway IN A    \(gatewayAddress)")
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension Fixtures {
    /// The seed cluster plus a pod of `namespace` at `ip` (127.0.0.1: the tests' own client),
    /// written to a new temporary file whose path is returned.
    static func seedWithPod(ip: String, namespace: String = "ecommerce") throws -> String {
        let seed = try String(contentsOfFile: seedManifests, encoding: .utf8)
        let pod = """

            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: test-client
              namespace: \(namespace)
            status:
              podIP: \(ip)

            """
        let path = NSTemporaryDirectory() + "clusterdns-autopath-\(UUID().uuidString).yaml"
        try (seed + pod).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
