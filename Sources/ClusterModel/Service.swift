/// core/v1 Service, with the fields DNS answers depend on.
public struct Service: Codable, Sendable, Hashable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: ServiceSpec

    public init(name: String, namespace: String, spec: ServiceSpec) {
        self.apiVersion = "v1"
        self.kind = "Service"
        self.metadata = ObjectMeta(name: name, namespace: namespace)
        self.spec = spec
    }

    public var name: String { metadata.name ?? "" }
    public var namespace: String { metadata.namespace ?? "default" }
}

public struct ServiceSpec: Codable, Sendable, Hashable {
    public var type: String?
    public var clusterIP: String?
    public var clusterIPs: [String]?
    public var ports: [ServicePort]?
    public var externalName: String?
    public var publishNotReadyAddresses: Bool?
    public var selector: [String: String]?
    public var ipFamilies: [String]?
    public var ipFamilyPolicy: String?

    public init(
        type: String? = nil, clusterIP: String? = nil, clusterIPs: [String]? = nil,
        ports: [ServicePort]? = nil, externalName: String? = nil,
        publishNotReadyAddresses: Bool? = nil, selector: [String: String]? = nil
    ) {
        self.type = type
        self.clusterIP = clusterIP
        self.clusterIPs = clusterIPs
        self.ports = ports
        self.externalName = externalName
        self.publishNotReadyAddresses = publishNotReadyAddresses
        self.selector = selector
    }
}

public struct ServicePort: Codable, Sendable, Hashable {
    public var name: String?
    public var `protocol`: String?
    public var port: Int
    public var targetPort: IntOrString?
    public var nodePort: Int?

    public init(
        name: String? = nil, protocol: String? = nil, port: Int,
        targetPort: IntOrString? = nil, nodePort: Int? = nil
    ) {
        self.name = name
        self.protocol = `protocol`
        self.port = port
        self.targetPort = targetPort
        self.nodePort = nodePort
    }
}

/// How DNS treats a service: derived once from `spec.type` and the cluster IPs.
public enum ServiceKind: Sendable, Hashable {
    /// ClusterIP, NodePort and LoadBalancer services: answered with their cluster IPs.
    case clusterIP([String])
    /// `clusterIP: None`: answered with the ready endpoints.
    case headless
    /// Answered with a CNAME (or an A/AAAA when the external name is an IP literal).
    case externalName(String)
}

extension Service {
    /// The DNS view of this service.
    public var dnsKind: ServiceKind {
        if spec.type == "ExternalName" {
            return .externalName(spec.externalName ?? "")
        }
        var ips = spec.clusterIPs ?? []
        if ips.isEmpty, let single = spec.clusterIP, !single.isEmpty {
            ips = [single]
        }
        if ips.contains(where: { $0 == "None" }) {
            return .headless
        }
        return .clusterIP(ips)
    }
}
