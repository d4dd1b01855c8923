/// core/v1 Service, with the fields DNS answers depend on. Its fields share one allocation
/// between copies (see ``CopyOnWrite``). A service the DNS side keeps (``dnsFields``) holds only
/// those fields, in a smaller allocation of their own.
public struct Service: Codable, Sendable, Hashable {
    fileprivate struct Fields: Codable, Sendable, Hashable {
        var apiVersion: String?
        var kind: String?
        var metadata: ObjectMeta
        var spec: ServiceSpec
    }

    /// What ``dnsFields`` keeps, and nothing else. The whole form's fields are some 250 bytes
    /// inline, most of them empty metadata and spec; at N = 100,000 services these (with their
    /// ports) are a third of that, and the address list that repeats `clusterIP` is a flag.
    fileprivate struct Kept: KeptFields {
        var name: String?
        var namespace: String?
        var type: String?
        var clusterIP: String?
        var clusterIPs: [String]?
        /// `clusterIPs` is exactly `[clusterIP]`, as it nearly always is.
        var clusterIPsRepeatClusterIP = false
        var ports: [KeptPort]?
        var externalName: String?
        var publishNotReadyAddresses: Bool?

        init(name: String?, namespace: String?, spec: ServiceSpec) {
            self.name = name
            self.namespace = namespace
            type = spec.type
            clusterIP = spec.clusterIP
            if let ips = spec.clusterIPs, let single = spec.clusterIP, ips.count == 1, ips[0] == single {
                clusterIPsRepeatClusterIP = true
            } else {
                clusterIPs = spec.clusterIPs
            }
            ports = spec.ports?.map { KeptPort(name: $0.name, protocol: $0.protocol, port: $0.port) }
            externalName = spec.externalName
            publishNotReadyAddresses = spec.publishNotReadyAddresses
        }

        var addresses: [String]? {
            clusterIPsRepeatClusterIP ? clusterIP.map { [$0] } : clusterIPs
        }

        var metadata: ObjectMeta {
            ObjectMeta(name: name, namespace: namespace)
        }

        var spec: ServiceSpec {
            ServiceSpec(
                type: type, clusterIP: clusterIP, clusterIPs: addresses,
                ports: ports?.map { ServicePort(name: $0.name, protocol: $0.protocol, port: $0.port) },
                externalName: externalName, publishNotReadyAddresses: publishNotReadyAddresses)
        }

        var whole: Fields {
            Fields(apiVersion: "v1", kind: "Service", metadata: metadata, spec: spec)
        }
    }

    fileprivate struct KeptPort: Sendable, Hashable {
        var name: String?
        var `protocol`: String?
        var port: Int
    }

    private var fields: ObjectFields<Kept>

    public var apiVersion: String? {
        get { fields.whole.apiVersion }
        set { fields.whole.apiVersion = newValue }
    }
    public var kind: String? {
        get { fields.whole.kind }
        set { fields.whole.kind = newValue }
    }
    // Read from the form held: a kept service makes only the part asked for, not the whole.
    public var metadata: ObjectMeta {
        get { fields.read(kept: \.metadata, whole: \.metadata) }
        set { fields.whole.metadata = newValue }
    }
    public var spec: ServiceSpec {
        get { fields.read(kept: \.spec, whole: \.spec) }
        set { fields.whole.spec = newValue }
    }

    public init(name: String, namespace: String, spec: ServiceSpec) {
        fields = ObjectFields(whole: Fields(
            apiVersion: "v1", kind: "Service", metadata: ObjectMeta(name: name, namespace: namespace), spec: spec))
    }

    /// The kept form (``dnsFields``): these fields and no others.
    init(keptName name: String?, namespace: String?, spec: ServiceSpec) {
        fields = ObjectFields(kept: Kept(name: name, namespace: namespace, spec: spec))
    }

    /// Holds the kept form already.
    var isKept: Bool { fields.isKept }

    public init(from decoder: any Decoder) throws {
        fields = ObjectFields(whole: try Fields(from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        try fields.whole.encode(to: encoder)
    }

    public var name: String {
        fields.read(kept: \.name, whole: \.metadata.name) ?? ""
    }

    public var namespace: String {
        fields.read(kept: \.namespace, whole: \.metadata.namespace) ?? "default"
    }

    /// What ``dnsKind`` reads, without making the whole spec of a kept service.
    fileprivate var kindFields: (type: String?, clusterIP: String?, clusterIPs: [String]?, externalName: String?) {
        fields.read(
            kept: { ($0.type, $0.clusterIP, $0.addresses, $0.externalName) },
            whole: { ($0.spec.type, $0.spec.clusterIP, $0.spec.clusterIPs, $0.spec.externalName) })
    }
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
        let spec = kindFields
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
