import ClusterModel

/// The discovery documents Kubernetes clients read before anything else (`/api`, `/apis`...),
/// listing exactly what this registry serves.
enum Discovery {
    enum Document: Equatable {
        case coreVersions, coreResources, groups, discoveryGroup, discoveryResources, version, health
    }

    static func body(_ document: Document) -> JSONValue {
        switch document {
        case .coreVersions:
            return [
                "kind": "APIVersions", "versions": .array(["v1"]),
                "serverAddressByClientCIDRs": .array([["clientCIDR": "0.0.0.0/0", "serverAddress": ""]]),
            ]
        case .coreResources:
            return resourceList(groupVersion: "v1", [.namespaces, .services, .pods])
        case .groups:
            return ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array([discoveryGroup])]
        case .discoveryGroup:
            var group = discoveryGroup
            group["apiVersion"] = "v1"
            group["kind"] = "APIGroup"
            return group
        case .discoveryResources:
            return resourceList(groupVersion: "discovery.k8s.io/v1", [.endpointSlices])
        case .version:
            return [
                "major": "1", "minor": "31", "gitVersion": "v1.31.0-clusterdns", "platform": "linux",
                "goVersion": "none (ClusterDNS embedded registry, Swift)",
            ]
        case .health:
            return ["status": "ok"]
        }
    }

    private static let discoveryGroup: JSONValue = [
        "name": "discovery.k8s.io",
        "versions": .array([["groupVersion": "discovery.k8s.io/v1", "version": "v1"]]),
        "preferredVersion": ["groupVersion": "discovery.k8s.io/v1", "version": "v1"],
    ]

    private static func resourceList(groupVersion: String, _ resources: [KubeResource]) -> JSONValue {
        let verbs: JSONValue = .array(["create", "delete", "get", "list", "patch", "update", "watch"])
        return [
            "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(groupVersion),
            "resources": .array(resources.map { resource in
                [
                    "name": .string(resource.rawValue), "singularName": .string(resource.singular),
                    "namespaced": .bool(resource.isNamespaced), "kind": .string(resource.kind), "verbs": verbs,
                    "shortNames": .array(shortNames(resource).map { .string($0) }),
                ]
            }),
        ]
    }

    private static func shortNames(_ resource: KubeResource) -> [String] {
        switch resource {
        case .namespaces: return ["ns"]
        case .services: return ["svc"]
        case .endpointSlices: return []
        case .pods: return ["po"]
        }
    }
}
