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
        struct Spec: Decodable {
            var type: String?
            var clusterIP: String?
            var clusterIPs: [String]?
            var ports: [ServicePort]?
            var externalName: String?
            var publishNotReadyAddresses: Bool?
        }
        struct Kept: Decodable {
            var metadata: NameAndNamespace
            var spec: Spec
        }
        let kept = try Kept(from: decoder)
        let spec = ServiceSpec(
            type: kept.spec.type, clusterIP: kept.spec.clusterIP, clusterIPs: kept.spec.clusterIPs,
            ports: kept.spec.ports, externalName: kept.spec.externalName,
            publishNotReadyAddresses: kept.spec.publishNotReadyAddresses)
        self.init(keeping: kept.metadata, spec: spec.dnsFields)
    }

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
}

extension EndpointSlice: DNSFieldsDecodable {
    public var dnsFields: EndpointSlice {
        EndpointSlice(
            keeping: NameAndNamespace(name: metadata.name, namespace: metadata.namespace), serviceName: serviceName,
            addressType: addressType, endpoints: endpoints?.map(\.dnsFields), ports: ports)
    }

    public init(dnsFieldsFrom decoder: any Decoder) throws {
        struct Metadata: Decodable {
            var name: String?
            var namespace: String?
            var labels: [String: String]?
        }
        struct Kept: Decodable {
            var metadata: Metadata
            var addressType: String?
            var endpoints: [Endpoint]?
            var ports: [EndpointPort]?
        }
        let kept = try Kept(from: decoder)
        self.init(
            keeping: NameAndNamespace(name: kept.metadata.name, namespace: kept.metadata.namespace),
            serviceName: kept.metadata.labels?[Self.serviceNameLabel], addressType: kept.addressType,
            endpoints: kept.endpoints?.map(\.dnsFields), ports: kept.ports)
    }

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
