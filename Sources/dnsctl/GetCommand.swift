import ArgumentParser
import ClusterModel
import Foundation
import RegistryClient
import Yams

struct Get: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List services, endpoints or namespaces.",
        discussion: "Tables are shaped like kubectl get; -o json|yaml prints a v1 List.")

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case services, endpoints, namespaces

        init?(argument: String) {
            switch argument {
            case "services", "service", "svc": self = .services
            case "endpoints", "endpoint", "ep", "endpointslices", "endpointslice": self = .endpoints
            case "namespaces", "namespace", "ns": self = .namespaces
            default: return nil
            }
        }

        var resource: KubeResource {
            switch self {
            case .services: return .services
            case .endpoints: return .endpointSlices
            case .namespaces: return .namespaces
            }
        }
    }

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, wide, json, yaml
    }

    @OptionGroup var options: ServerOptions
    @Argument(help: "services | endpoints | namespaces") var kind: Kind
    @OptionGroup var scope: NamespaceOptions
    @Option(name: [.short, .customLong("output")], help: "table, wide, json or yaml.") var output: Format = .table

    func run() async throws {
        try await options.withClient { client in
            let namespace = kind == .namespaces ? nil : scope.scope
            let list = try await client.list(kind.resource, namespace: namespace)
            print(try render(list), terminator: "")
        }
    }

    private func render(_ list: ObjectList) throws -> String {
        switch output {
        case .json, .yaml:
            let document: JSONValue = [
                "apiVersion": "v1", "kind": "List", "items": .array(list.items),
                "metadata": ["resourceVersion": .string(list.metadata?.resourceVersion ?? "")],
            ]
            if output == .yaml {
                let encoder = YAMLEncoder()
                encoder.options.sortKeys = true
                return try encoder.encode(document)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(document), as: UTF8.self) + "\n"
        case .table, .wide:
            guard !list.items.isEmpty else {
                Terminal.note(scope.scope.map { "No resources found in \($0) namespace." } ?? "No resources found")
                return ""
            }
            let wide = output == .wide
            let all = scope.allNamespaces
            switch kind {
            case .services:
                return ObjectTable.services(try list.decoded(Service.self), allNamespaces: all, wide: wide) + "\n"
            case .endpoints:
                return ObjectTable.endpoints(try list.decoded(EndpointSlice.self), allNamespaces: all, wide: wide) + "\n"
            case .namespaces:
                return ObjectTable.namespaces(try list.decoded(Namespace.self)) + "\n"
            }
        }
    }
}
