/// discovery.k8s.io/v1 EndpointSlice.
public struct EndpointSlice: Codable, Sendable, Hashable {
    /// The label that ties a slice to its service.
    public static let serviceNameLabel = "kubernetes.io/service-name"

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var addressType: String?
    public var endpoints: [Endpoint]?
    public var ports: [EndpointPort]?

    public init(
        name: String, namespace: String, serviceName: String, addressType: String = "IPv4",
        endpoints: [Endpoint], ports: [EndpointPort]? = nil
    ) {
        self.apiVersion = "discovery.k8s.io/v1"
        self.kind = "EndpointSlice"
        self.metadata = ObjectMeta(
            name: name, namespace: namespace, labels: [Self.serviceNameLabel: serviceName])
        self.addressType = addressType
        self.endpoints = endpoints
        self.ports = ports
    }

    public var name: String { metadata.name ?? "" }
    public var namespace: String { metadata.namespace ?? "default" }
    /// The service this slice belongs to, from its `kubernetes.io/service-name` label.
    public var serviceName: String? { metadata.labels?[Self.serviceNameLabel] }
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
