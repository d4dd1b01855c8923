/// core/v1 Service, with the fields DNS answers depend on. Its fields share one allocation
/// between copies (see ``CopyOnWrite``).
public struct Service: Codable, Sendable, Hashable {
    private struct Fields: Codable, Sendable, Hashable {
        var apiVersion: String?
        var kind: String?
        var metadata: ObjectMeta
        var spec: ServiceSpec
    }

    private var fields: CopyOnWrite<Fields>

    public var apiVersion: String? {
        get { fields.value.apiVersion }
        set { fields.value.apiVersion = newValue }
    }
    public var kind: String? {
        get { fields.value.kind }
        set { fields.value.kind = newValue }
    }
    public var metadata: ObjectMeta {
        get { fields.value.metadata }
        set { fields.value.metadata = newValue }
    }
    public var spec: ServiceSpec {
        get { fields.value.spec }
        set { fields.value.spec = newValue }
    }

    public init(name: String, namespace: String, spec: ServiceSpec) {
        fields = CopyOnWrite(Fields(
            apiVersion: "v1", kind: "Service", metadata: ObjectMeta(name: name, namespace: namespace), spec: spec))
    }

    public init(from decoder: any Decoder) throws {
        fields = CopyOnWrite(try Fields(from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        try fields.value.encode(to: encoder)
    }

    public var name: String { fields.value.metadata.name ?? "" }
    public var namespace: String { fields.value.metadata.namespace ?? "default" }
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
