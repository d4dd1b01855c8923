import ArgumentParser
import ClusterModel
import RegistryClient

struct AddService: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-service", abstract: "Create a service (and its namespace when missing).")

    @OptionGroup var options: ServerOptions
    @Argument(help: "Service name (DNS-1035 label).") var name: String
    @Option(name: [.short, .customLong("namespace")], help: "Namespace.") var namespace = "default"
    @Option(name: .customLong("cluster-ip"), help: "Cluster IP, or None for a headless service; repeat for dual stack.")
    var clusterIPs: [String] = []
    @Option(name: .customLong("port"), help: "[NAME:]PORT[:TARGET][/PROTO], repeatable.") var ports: [PortSpec] = []
    @Option(help: "ClusterIP, NodePort, LoadBalancer or ExternalName.") var type: String?
    @Option(name: .customLong("external-name"), help: "Target host of an ExternalName service.") var externalName: String?
    @Option(name: .customLong("node-port"), help: "Node port of the first port (NodePort/LoadBalancer).") var nodePort: Int?
    @Option(name: .customLong("selector"), help: "K=V pod selector, repeatable.") var selectors: [String] = []
    @Flag(name: .customLong("publish-not-ready"), help: "Publish endpoints that are not ready.") var publishNotReady = false

    func validate() throws {
        if nodePort != nil && ports.isEmpty { throw ValidationError("--node-port needs a --port") }
        for selector in selectors where !selector.contains("=") {
            throw ValidationError("--selector \(selector): expected KEY=VALUE")
        }
    }

    func run() async throws {
        var servicePorts = ports.map(\.servicePort)
        if let nodePort, !servicePorts.isEmpty { servicePorts[0].nodePort = nodePort }
        var selector: [String: String] = [:]
        for pair in selectors {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            selector[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        let spec = ServiceSpec(
            type: type ?? (externalName != nil ? "ExternalName" : nil), clusterIP: clusterIPs.first,
            clusterIPs: clusterIPs.isEmpty ? nil : clusterIPs, ports: servicePorts.isEmpty ? nil : servicePorts,
            externalName: externalName, publishNotReadyAddresses: publishNotReady ? true : nil,
            selector: selector.isEmpty ? nil : selector)
        let service = Service(name: name, namespace: namespace, spec: spec)
        try await options.withClient { client in
            if try await client.ensureNamespace(namespace) { print("namespace/\(namespace) created") }
            let body = try JSONValue(encoding: service)
            let created = try await client.create(.services, namespace: namespace, object: body)
            let ip = created["spec"]?["clusterIP"]?.stringValue
            print("service/\(name) created" + (ip.map { " (cluster IP \($0))" } ?? ""))
        }
    }
}

struct DeleteService: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete-service", abstract: "Delete a service and its endpoint slices.")

    @OptionGroup var options: ServerOptions
    @Argument(help: "Service name.") var name: String
    @Option(name: [.short, .customLong("namespace")], help: "Namespace.") var namespace = "default"

    func run() async throws {
        try await options.withClient { client in
            try await client.deleteService(name, namespace: namespace)
            print("service/\(name) deleted")
        }
    }
}

/// `[NAME:]PORT[:TARGET][/PROTO]`: `80`, `http:80`, `80:8080/TCP`, `dns:53:5353/UDP`.
struct PortSpec: ExpressibleByArgument {
    var servicePort: ServicePort

    init?(argument: String) {
        let protoSplit = argument.split(separator: "/", omittingEmptySubsequences: false)
        guard protoSplit.count <= 2 else { return nil }
        let proto = protoSplit.count == 2 ? protoSplit[1].uppercased() : "TCP"
        let parts = protoSplit[0].split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        var name: String?
        var rest = parts
        if let first = parts.first, Int(first) == nil {
            name = first
            rest.removeFirst()
        }
        guard (1...2).contains(rest.count), let port = Int(rest[0]) else { return nil }
        var target: IntOrString?
        if rest.count == 2 {
            guard !rest[1].isEmpty else { return nil }
            target = Int(rest[1]).map(IntOrString.int) ?? .string(rest[1])
        }
        servicePort = ServicePort(name: name, protocol: proto, port: port, targetPort: target)
    }
}

extension JSONValue {
    /// Any Encodable model as a JSON tree.
    init(encoding value: some Encodable) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
    }
}

import Foundation
