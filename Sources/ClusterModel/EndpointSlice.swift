/// discovery.k8s.io/v1 EndpointSlice. Its fields share one allocation between copies (see
/// ``CopyOnWrite``).
public struct EndpointSlice: Codable, Sendable, Hashable {
    /// The label that ties a slice to its service.
    public static let serviceNameLabel = "kubernetes.io/service-name"

    fileprivate struct Fields: Codable, Sendable, Hashable {
        var apiVersion: String?
        var kind: String?
        var metadata: ObjectMeta
        var addressType: String?
        var endpoints: [Endpoint]?
        var ports: [EndpointPort]?
    }

    /// What ``dnsFields`` keeps, and nothing else: the whole form's metadata alone is some 110
    /// bytes inline and a dictionary for the one label read, and each endpoint an array for its
    /// one address and room for fields a watch cache leaves out.
    fileprivate struct Kept: KeptFields {
        var name: String?
        var namespace: String?
        var serviceName: String?
        var addressType: String?
        var endpoints: [KeptEndpoint]?
        var ports: [EndpointPort]?

        var metadata: ObjectMeta {
            ObjectMeta(name: name, namespace: namespace, labels: serviceName.map { [serviceNameLabel: $0] })
        }

        var wholeEndpoints: [Endpoint]? {
            endpoints?.map(\.whole)
        }

        var whole: Fields {
            Fields(
                apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", metadata: metadata,
                addressType: addressType, endpoints: wholeEndpoints, ports: ports)
        }
    }

    fileprivate struct KeptEndpoint: Sendable, Hashable {
        /// The first address, and the others (an endpoint nearly always has one).
        var address: String?
        var otherAddresses: [String]?
        var ready: Bool?
        var hostname: String?
        var hasTargetRef: Bool
        var targetKind: String?
        var targetName: String?
        var targetNamespace: String?

        init(_ endpoint: Endpoint) {
            address = endpoint.addresses.first
            otherAddresses = endpoint.addresses.count > 1 ? Array(endpoint.addresses.dropFirst()) : nil
            ready = endpoint.conditions?.ready
            hostname = endpoint.hostname
            hasTargetRef = endpoint.targetRef != nil
            targetKind = endpoint.targetRef?.kind
            targetName = endpoint.targetRef?.name
            targetNamespace = endpoint.targetRef?.namespace
        }

        var whole: Endpoint {
            Endpoint(
                addresses: address.map { [$0] + (otherAddresses ?? []) } ?? [], ready: ready, hostname: hostname,
                targetRef: hasTargetRef ? ObjectReference(kind: targetKind, name: targetName, namespace: targetNamespace) : nil)
        }
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
    // Read from the form held: a kept slice makes only the part asked for, not the whole.
    public var metadata: ObjectMeta {
        get { fields.read(kept: \.metadata, whole: \.metadata) }
        set { fields.whole.metadata = newValue }
    }
    public var addressType: String? {
        get { fields.read(kept: \.addressType, whole: \.addressType) }
        set { fields.whole.addressType = newValue }
    }
    public var endpoints: [Endpoint]? {
        get { fields.read(kept: \.wholeEndpoints, whole: \.endpoints) }
        set { fields.whole.endpoints = newValue }
    }
    public var ports: [EndpointPort]? {
        get { fields.read(kept: \.ports, whole: \.ports) }
        set { fields.whole.ports = newValue }
    }

    public init(
        name: String, namespace: String, serviceName: String, addressType: String = "IPv4",
        endpoints: [Endpoint], ports: [EndpointPort]? = nil
    ) {
        fields = ObjectFields(whole: Fields(
            apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice",
            metadata: ObjectMeta(name: name, namespace: namespace, labels: [Self.serviceNameLabel: serviceName]),
            addressType: addressType, endpoints: endpoints, ports: ports))
    }

    /// The kept form (``dnsFields``): these fields, and of each endpoint what `Endpoint`'s
    /// kept form holds.
    init(
        keptName name: String?, namespace: String?, serviceName: String?, addressType: String?,
        endpoints: [Endpoint]?, ports: [EndpointPort]?
    ) {
        fields = ObjectFields(kept: Kept(
            name: name, namespace: namespace, serviceName: serviceName, addressType: addressType,
            endpoints: endpoints?.map(KeptEndpoint.init), ports: ports))
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
    /// The service this slice belongs to, from its `kubernetes.io/service-name` label.
    public var serviceName: String? {
        fields.read(kept: \.serviceName, whole: { $0.metadata.labels?[EndpointSlice.serviceNameLabel] })
    }
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
