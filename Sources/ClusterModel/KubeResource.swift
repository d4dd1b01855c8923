/// The four kinds of object the registry serves, with where they live in the Kubernetes API.
public enum KubeResource: String, Sendable, Hashable, CaseIterable {
    case namespaces
    case services
    case endpointSlices = "endpointslices"
    case pods

    /// `Service`, `EndpointSlice`...
    public var kind: String {
        switch self {
        case .namespaces: return "Namespace"
        case .services: return "Service"
        case .endpointSlices: return "EndpointSlice"
        case .pods: return "Pod"
        }
    }

    /// The lower-case singular name used in messages: `services "web" not found`.
    public var singular: String { kind.lowercased() }

    /// `v1` or `discovery.k8s.io/v1`.
    public var apiVersion: String { group.isEmpty ? "v1" : "\(group)/v1" }

    /// The API group: empty for the core group.
    public var group: String { self == .endpointSlices ? "discovery.k8s.io" : "" }

    /// The URL prefix of the group version: `/api/v1` or `/apis/discovery.k8s.io/v1`.
    public var groupVersionPath: String { group.isEmpty ? "/api/v1" : "/apis/\(group)/v1" }

    /// Namespaces are cluster-scoped; everything else lives in a namespace.
    public var isNamespaced: Bool { self != .namespaces }

    /// The path of the collection, across all namespaces when `namespace` is nil.
    public func collectionPath(namespace: String?) -> String {
        guard isNamespaced, let namespace else { return "\(groupVersionPath)/\(rawValue)" }
        return "\(groupVersionPath)/namespaces/\(namespace)/\(rawValue)"
    }

    /// The path of one object.
    public func objectPath(namespace: String?, name: String) -> String {
        "\(collectionPath(namespace: namespace))/\(name)"
    }

    /// The resource a `kind` names, as found in manifests.
    public init?(kind: String) {
        guard let match = Self.allCases.first(where: { $0.kind == kind }) else { return nil }
        self = match
    }
}
