/// The objects as the DNS side keeps them: the fields its answers and autopath read, and
/// nothing else. A watch cache keeps these: at 100,000 services the labels, selectors, uids,
/// timestamps and node names it leaves out are some 70 MB, and a change to only those (or a
/// new resourceVersion alone) compares equal and compiles nothing.
///
/// A list can be decoded straight into them (``DNSFieldsOf``): the fields left out are never
/// read, and a decoded object is the same as the whole object's `dnsFields`.
public protocol DNSFieldsDecodable {
    /// What `dnsFields` keeps of the object the decoder holds, read without the rest. Throws
    /// where the whole object's decoding would for the fields kept.
    init(dnsFieldsFrom decoder: any Decoder) throws
}

/// Decodes an object as ``DNSFieldsDecodable`` does, for a `Decodable` container element.
public struct DNSFieldsOf<Object: DNSFieldsDecodable>: Decodable {
    public let object: Object

    public init(from decoder: any Decoder) throws {
        object = try Object(dnsFieldsFrom: decoder)
    }
}

/// The parts of an object the kept decodings read.
private enum ObjectKey: String, CodingKey { case metadata, spec, addressType, endpoints, ports }

/// A label's key, which is any string.
private struct LabelKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension KeyedDecodingContainer {
    /// The list under `key`, nil when it is absent or null.
    fileprivate func nestedListIfPresent(forKey key: Key) throws -> (any UnkeyedDecodingContainer)? {
        guard try contains(key) && !decodeNil(forKey: key) else { return nil }
        return try nestedUnkeyedContainer(forKey: key)
    }

    /// A list of strings, read one string at a time through the decoder's `String` entry point
    /// rather than its generic one for `[String]`.
    fileprivate func decodeStrings(forKey key: Key) throws -> [String] {
        var list = try nestedUnkeyedContainer(forKey: key)
        var strings: [String] = []
        strings.reserveCapacity(list.count ?? 0)
        while !list.isAtEnd { strings.append(try list.decode(String.self)) }
        return strings
    }

    fileprivate func decodeStringsIfPresent(forKey key: Key) throws -> [String]? {
        guard try contains(key) && !decodeNil(forKey: key) else { return nil }
        return try decodeStrings(forKey: key)
    }
}

/// The metadata DNS reads: the slice's service-name label aside, the name and namespace.
private struct NameAndNamespace: Decodable {
    var name: String?
    var namespace: String?
}

extension Namespace: DNSFieldsDecodable {
    public var dnsFields: Namespace {
        Namespace(keeping: NameAndNamespace(name: metadata.name, namespace: metadata.namespace))
    }

    public init(dnsFieldsFrom decoder: any Decoder) throws {
        struct Kept: Decodable { var metadata: NameAndNamespace }
        self.init(keeping: try Kept(from: decoder).metadata)
    }

    private init(keeping metadata: NameAndNamespace) {
        self.init(name: "")
        self.metadata = ObjectMeta(name: metadata.name, namespace: metadata.namespace)
    }
}

extension Service: DNSFieldsDecodable {
    public var dnsFields: Service {
        Service(keeping: NameAndNamespace(name: metadata.name, namespace: metadata.namespace), spec: spec.dnsFields)
    }

    public init(dnsFieldsFrom decoder: any Decoder) throws {
        let object = try decoder.container(keyedBy: ObjectKey.self)
        let metadata = try object.decode(NameAndNamespace.self, forKey: .metadata)
        let spec = try object.nestedContainer(keyedBy: SpecKey.self, forKey: .spec)
        var ports: [ServicePort]?
        if var list = try spec.nestedListIfPresent(forKey: .ports) {
            var kept: [ServicePort] = []
            kept.reserveCapacity(list.count ?? 0)
            while !list.isAtEnd {
                let port = try list.nestedContainer(keyedBy: PortKey.self)
                kept.append(ServicePort(
                    name: try port.decodeIfPresent(String.self, forKey: .name),
                    protocol: try port.decodeIfPresent(String.self, forKey: .protocol),
                    port: try port.decode(Int.self, forKey: .port)))
            }
            ports = kept
        }
        self.init(keeping: metadata, spec: ServiceSpec(
            type: try spec.decodeIfPresent(String.self, forKey: .type),
            clusterIP: try spec.decodeIfPresent(String.self, forKey: .clusterIP),
            clusterIPs: try spec.decodeStringsIfPresent(forKey: .clusterIPs),
            ports: ports,
            externalName: try spec.decodeIfPresent(String.self, forKey: .externalName),
            publishNotReadyAddresses: try spec.decodeIfPresent(Bool.self, forKey: .publishNotReadyAddresses)))
    }

    private enum SpecKey: String, CodingKey {
        case type, clusterIP, clusterIPs, ports, externalName, publishNotReadyAddresses
    }

    private enum PortKey: String, CodingKey { case name, `protocol`, port }

    /// `spec` holds only kept fields already.
    private init(keeping metadata: NameAndNamespace, spec: ServiceSpec) {
        self.init(name: "", namespace: "", spec: spec)
        self.metadata = ObjectMeta(name: metadata.name, namespace: metadata.namespace)
    }
}

extension ServiceSpec {
    fileprivate var dnsFields: ServiceSpec {
        ServiceSpec(
            type: type, clusterIP: clusterIP, clusterIPs: clusterIPs,
            ports: ports?.map { ServicePort(name: $0.name, protocol: $0.protocol, port: $0.port) },
            externalName: externalName, publishNotReadyAddresses: publishNotReadyAddresses)
    }
}

extension Endpoint {
    fileprivate var dnsFields: Endpoint {
        Endpoint(
            addresses: addresses, ready: conditions?.ready, hostname: hostname,
            targetRef: targetRef.map { ObjectReference(kind: $0.kind, name: $0.name, namespace: $0.namespace) })
    }

    fileprivate enum Key: String, CodingKey { case addresses, conditions, hostname, targetRef }
    private enum ConditionKey: String, CodingKey { case ready }
    private enum ReferenceKey: String, CodingKey { case kind, name, namespace }

    /// What ``dnsFields`` keeps, read without the rest.
    fileprivate init(keptFrom endpoint: KeyedDecodingContainer<Key>) throws {
        var ready: Bool?
        if try endpoint.contains(.conditions) && !endpoint.decodeNil(forKey: .conditions) {
            ready = try endpoint.nestedContainer(keyedBy: ConditionKey.self, forKey: .conditions)
                .decodeIfPresent(Bool.self, forKey: .ready)
        }
        var targetRef: ObjectReference?
        if try endpoint.contains(.targetRef) && !endpoint.decodeNil(forKey: .targetRef) {
            let reference = try endpoint.nestedContainer(keyedBy: ReferenceKey.self, forKey: .targetRef)
            targetRef = ObjectReference(
                kind: try reference.decodeIfPresent(String.self, forKey: .kind),
                name: try reference.decodeIfPresent(String.self, forKey: .name),
                namespace: try reference.decodeIfPresent(String.self, forKey: .namespace))
        }
        self.init(
            addresses: try endpoint.decodeStrings(forKey: .addresses), ready: ready,
            hostname: try endpoint.decodeIfPresent(String.self, forKey: .hostname), targetRef: targetRef)
    }
}

extension EndpointSlice: DNSFieldsDecodable {
    public var dnsFields: EndpointSlice {
        EndpointSlice(
            keeping: NameAndNamespace(name: metadata.name, namespace: metadata.namespace), serviceName: serviceName,
            addressType: addressType, endpoints: endpoints?.map(\.dnsFields), ports: ports)
    }

    public init(dnsFieldsFrom decoder: any Decoder) throws {
        let object = try decoder.container(keyedBy: ObjectKey.self)
        let metadata = try object.nestedContainer(keyedBy: MetadataKey.self, forKey: .metadata)
        var serviceName: String?
        if try metadata.contains(.labels) && !metadata.decodeNil(forKey: .labels) {
            // Only the one label is read: the others are neither needed nor worth a dictionary.
            serviceName = try metadata.nestedContainer(keyedBy: LabelKey.self, forKey: .labels)
                .decodeIfPresent(String.self, forKey: LabelKey(stringValue: Self.serviceNameLabel))
        }
        var endpoints: [Endpoint]?
        if var list = try object.nestedListIfPresent(forKey: .endpoints) {
            var kept: [Endpoint] = []
            kept.reserveCapacity(list.count ?? 0)
            while !list.isAtEnd { kept.append(try Endpoint(keptFrom: list.nestedContainer(keyedBy: Endpoint.Key.self))) }
            endpoints = kept
        }
        self.init(
            keeping: NameAndNamespace(
                name: try metadata.decodeIfPresent(String.self, forKey: .name),
                namespace: try metadata.decodeIfPresent(String.self, forKey: .namespace)),
            serviceName: serviceName, addressType: try object.decodeIfPresent(String.self, forKey: .addressType),
            endpoints: endpoints, ports: try object.decodeIfPresent([EndpointPort].self, forKey: .ports))
    }

    private enum MetadataKey: String, CodingKey { case name, namespace, labels }

    /// `endpoints` hold only kept fields already.
    private init(
        keeping metadata: NameAndNamespace, serviceName: String?, addressType: String?, endpoints: [Endpoint]?,
        ports: [EndpointPort]?
    ) {
        self.init(name: "", namespace: "", serviceName: "", endpoints: [], ports: ports)
        self.metadata = ObjectMeta(
            name: metadata.name, namespace: metadata.namespace,
            labels: serviceName.map { [Self.serviceNameLabel: $0] })
        self.addressType = addressType
        self.endpoints = endpoints
    }
}

extension Pod: DNSFieldsDecodable {
    public var dnsFields: Pod {
        Pod(keeping: NameAndNamespace(name: metadata.name, namespace: metadata.namespace), status: status)
    }

    public init(dnsFieldsFrom decoder: any Decoder) throws {
        struct Kept: Decodable {
            var metadata: NameAndNamespace
            var status: PodStatus?
        }
        let kept = try Kept(from: decoder)
        self.init(keeping: kept.metadata, status: kept.status)
    }

    private init(keeping metadata: NameAndNamespace, status: PodStatus?) {
        self.init(name: "", namespace: "", ips: [])
        self.metadata = ObjectMeta(name: metadata.name, namespace: metadata.namespace)
        self.status = status.map { PodStatus(podIP: $0.podIP, podIPs: $0.podIPs) }
    }
}
