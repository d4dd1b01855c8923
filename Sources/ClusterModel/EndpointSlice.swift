/// discovery.k8s.io/v1 EndpointSlice. Its fields share one allocation between copies (see
/// ``CopyOnWrite``).
public struct EndpointSlice: Codable, Sendable, Hashable {
    /// The label that ties a slice to its service.
    public static let serviceNameLabel = "kubernetes.io/service-name"

    private struct Fields: Codable, Sendable, Hashable {
        var apiVersion: String?
        var kind: String?
        var metadata: ObjectMeta
        var addressType: String?
        var endpoints: [Endpoint]?
        var ports: [EndpointPort]?
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
    public var addressType: String? {
        get { fields.value.addressType }
        set { fields.value.addressType = newValue }
    }
    public var endpoints: [Endpoint]? {
        get { fields.value.endpoints }
        set { fields.value.endpoints = newValue }
    }
    public var ports: [EndpointPort]? {
        get { fields.value.ports }
        set { fields.value.ports = newValue }
    }

    public init(
        name: String, namespace: String, serviceName: String, addressType: String = "IPv4",
        endpoints: [Endpoint], ports: [EndpointPort]? = nil
    ) {
        fields = CopyOnWrite(Fields(
            apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice",
            metadata: ObjectMeta(name: name, namespace: namespace, labels: [Self.serviceNameLabel: serviceName]),
            addressType: addressType, endpoints: endpoints, ports: ports))
    }

    public init(from decoder: any Decoder) throws {
        fields = CopyOnWrite(try Fields(from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        try fields.value.encode(to: encoder)
    }

    public var name: String { fields.value.metadata.name ?? "" }
    public var namespace: String { fields.value.metadata.namespace ?? "default" }
    /// The service this slice belongs to, from its `kubernetes.io/service-name` label.
    public var serviceName: String? { fields.value.metadata.labels?[Self.serviceNameLabel] }
}

public struct Endpoint: Codable, Sendable, Hashable {
    public var addresses: [String]
    public var conditions: EndpointConditions?
    public var hostname: String?
    public var targetRef: ObjectReference?
    public var nodeName: String?

    public init(
        addresses: [String], ready: Bool? = nil, hostname: String? = nil,
        targetRef: ObjectReference? = nil
    ) {
        self.addresses = addresses
        self.conditions = ready.map { EndpointConditions(ready: $0) }
        self.hostname = hostname
        self.targetRef = targetRef
    }

    /// Absent `ready` means ready (the EndpointSlice API's rule).
    public var isReady: Bool { conditions?.ready ?? true }
}

public struct EndpointConditions: Codable, Sendable, Hashable {
    public var ready: Bool?
    public var serving: Bool?
    public var terminating: Bool?

    public init(ready: Bool? = nil, serving: Bool? = nil, terminating: Bool? = nil) {
        self.ready = ready
        self.serving = serving
        self.terminating = terminating
    }
}

public struct EndpointPort: Codable, Sendable, Hashable {
    public var name: String?
    public var `protocol`: String?
    public var port: Int?
    public var appProtocol: String?

    public init(name: String? = nil, protocol: String? = nil, port: Int? = nil) {
        self.name = name
        self.protocol = `protocol`
        self.port = port
    }
}
