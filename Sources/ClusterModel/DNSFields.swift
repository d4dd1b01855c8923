/// The objects as the DNS side keeps them: the fields its answers and autopath read, and
/// nothing else. A watch cache keeps these: at 100,000 services the labels, selectors, uids,
/// timestamps and node names it leaves out are some 70 MB, and a change to only those (or a
/// new resourceVersion alone) compares equal and compiles nothing.
///
/// A list can be read straight into them from its JSON (``JSONReader``): the fields left out
/// are skipped, never decoded, and an object read is the same as the whole object's `dnsFields`.
public protocol DNSFieldsDecodable {
    /// What `dnsFields` keeps of the JSON object at `reader`, read without the rest. Throws
    /// where the whole object's decoding would for the fields kept.
    init(dnsFieldsFrom reader: inout JSONReader) throws
}

/// The metadata DNS reads: the name and namespace, and for a slice its service-name label.
private struct NameAndNamespace {
    var name: String?
    var namespace: String?
    /// The value of the label asked for when read, if the object has it.
    var label: String?

    /// `metadata`, which must be an object; `label`, when given, is read from its labels.
    init(from reader: inout JSONReader, label: String?) throws {
        var seen = SeenKeys()
        try reader.object { reader, key in
            switch key {
            case "name" where seen.first(0): name = try reader.nullableString()
            case "namespace" where seen.first(1): namespace = try reader.nullableString()
            case "labels" where label != nil && seen.first(2):
                // Only the one label is read: the others are neither needed nor worth a dictionary.
                guard !reader.null() else { return }
                var found = false
                try reader.object { reader, key in
                    if !found, key == label! {
                        found = true
                        self.label = try reader.nullableString()
                    } else {
                        try reader.skip()
                    }
                }
            default: try reader.skip()
            }
        }
    }

    init(name: String?, namespace: String?) {
        self.name = name
        self.namespace = namespace
    }
}

extension JSONReader {
    /// Reads an object whose `metadata` must be there and returns that (with `label` read
    /// from its labels, when given), calling `field` for the object's other keys.
    fileprivate mutating func objectWithMetadata(
        label: String? = nil, _ field: (inout JSONReader, Key) throws -> Void
    ) throws -> NameAndNamespace {
        var metadata: NameAndNamespace?
        try object { reader, key in
            switch key {
            case "metadata" where metadata == nil: metadata = try NameAndNamespace(from: &reader, label: label)
            default: try field(&reader, key)
            }
        }
        guard let metadata else { throw missing("metadata") }
        return metadata
    }
}

extension Namespace: DNSFieldsDecodable {
    public var dnsFields: Namespace {
        Namespace(keeping: NameAndNamespace(name: metadata.name, namespace: metadata.namespace))
    }

    public init(dnsFieldsFrom reader: inout JSONReader) throws {
        self.init(keeping: try reader.objectWithMetadata { reader, _ in try reader.skip() })
    }

    private init(keeping metadata: NameAndNamespace) {
        self.init(name: "")
        self.metadata = ObjectMeta(name: metadata.name, namespace: metadata.namespace)
    }
}

extension Service: DNSFieldsDecodable {
    public var dnsFields: Service {
        isKept ? self : Service(keptName: metadata.name, namespace: metadata.namespace, spec: spec)
    }

    public init(dnsFieldsFrom reader: inout JSONReader) throws {
        var spec: ServiceSpec?
        var seen = SeenKeys()
        let metadata = try reader.objectWithMetadata { reader, key in
            switch key {
            case "spec" where seen.first(0): spec = try ServiceSpec(keptFrom: &reader)
            default: try reader.skip()
            }
        }
        guard let spec else { throw reader.missing("spec") }
        self.init(keptName: metadata.name, namespace: metadata.namespace, spec: spec)
    }
}

extension ServiceSpec {
    /// What ``Service/dnsFields`` keeps, read without the rest.
    fileprivate init(keptFrom reader: inout JSONReader) throws {
        var seen = SeenKeys()
        var type: String?
        var clusterIP: String?
        var clusterIPs: [String]?
        var ports: [ServicePort]?
        var externalName: String?
        var publishNotReadyAddresses: Bool?
        try reader.object { reader, key in
            switch key {
            case "type" where seen.first(0): type = try reader.nullableString()
            case "clusterIP" where seen.first(1): clusterIP = try reader.nullableString()
            case "clusterIPs" where seen.first(2): clusterIPs = reader.null() ? nil : try reader.strings()
            case "ports" where seen.first(3):
                guard !reader.null() else { return }
                var kept: [ServicePort] = []
                try reader.array { kept.append(try ServicePort(keptFrom: &$0)) }
                ports = kept
            case "externalName" where seen.first(4): externalName = try reader.nullableString()
            case "publishNotReadyAddresses" where seen.first(5): publishNotReadyAddresses = try reader.nullableBool()
            default: try reader.skip()
            }
        }
        self.init(
            type: type, clusterIP: clusterIP, clusterIPs: clusterIPs, ports: ports, externalName: externalName,
            publishNotReadyAddresses: publishNotReadyAddresses)
    }
}

extension ServicePort {
    /// The name, protocol and port; `port` must be there.
    fileprivate init(keptFrom reader: inout JSONReader) throws {
        var seen = SeenKeys()
        var name: String?
        var `protocol`: String?
        var port: Int?
        try reader.object { reader, key in
            switch key {
            case "name" where seen.first(0): name = try reader.nullableString()
            case "protocol" where seen.first(1): `protocol` = try reader.nullableString()
            case "port" where seen.first(2): port = try reader.int()
            default: try reader.skip()
            }
        }
        guard let port else { throw reader.missing("port") }
        self.init(name: name, protocol: `protocol`, port: port)
    }
}

extension Endpoint {
    /// What ``EndpointSlice/dnsFields`` keeps, read without the rest; `addresses` must be there.
    /// Without `podNames`, the target's name is skipped (``EndpointSlice/dnsFields(podNames:)``).
    fileprivate init(keptFrom reader: inout JSONReader, podNames: Bool) throws {
        var seen = SeenKeys()
        var addresses: [String]?
        var ready: Bool?
        var hostname: String?
        var targetRef: ObjectReference?
        try reader.object { reader, key in
            switch key {
            case "addresses" where seen.first(0): addresses = try reader.strings()
            case "conditions" where seen.first(1):
                guard !reader.null() else { return }
                var seenReady = false
                try reader.object { reader, key in
                    if !seenReady, case "ready" = key {
                        seenReady = true
                        ready = try reader.nullableBool()
                    } else {
                        try reader.skip()
                    }
                }
            case "hostname" where seen.first(2): hostname = try reader.nullableString()
            case "targetRef" where seen.first(3):
                guard !reader.null() else { return }
                var seenField = SeenKeys()
                var reference = ObjectReference()
                try reader.object { reader, key in
                    switch key {
                    case "kind" where seenField.first(0): reference.kind = try reader.nullableString()
                    case "name" where seenField.first(1) && podNames: reference.name = try reader.nullableString()
                    case "namespace" where seenField.first(2): reference.namespace = try reader.nullableString()
                    default: try reader.skip()
                    }
                }
                targetRef = reference
            default: try reader.skip()
            }
        }
        guard let addresses else { throw reader.missing("addresses") }
        self.init(addresses: addresses, ready: ready, hostname: hostname, targetRef: targetRef)
    }
}

extension Endpoint {
    fileprivate var withoutPodName: Endpoint {
        var endpoint = self
        endpoint.targetRef?.name = nil
        return endpoint
    }
}

extension EndpointPort {
    /// The whole port: a slice keeps its ports as they are.
    fileprivate init(keptFrom reader: inout JSONReader) throws {
        var seen = SeenKeys()
        self.init()
        try reader.object { reader, key in
            switch key {
            case "name" where seen.first(0): name = try reader.nullableString()
            case "protocol" where seen.first(1): `protocol` = try reader.nullableString()
            case "port" where seen.first(2): port = try reader.nullableInt()
            case "appProtocol" where seen.first(3): appProtocol = try reader.nullableString()
            default: try reader.skip()
            }
        }
    }
}

extension EndpointSlice: DNSFieldsDecodable {
    public var dnsFields: EndpointSlice { dnsFields(podNames: true) }

    /// The kept form, without its endpoints' pod names (`targetRef.name`) unless `podNames`:
    /// only `--endpoint-pod-names` reads them, and at N = 100,000 they were 7.4 MB of strings.
    public func dnsFields(podNames: Bool) -> EndpointSlice {
        if isKept && podNames { return self }
        return EndpointSlice(
            keptName: metadata.name, namespace: metadata.namespace, serviceName: serviceName,
            addressType: addressType, endpoints: podNames ? endpoints : endpoints?.map(\.withoutPodName), ports: ports)
    }

    public init(dnsFieldsFrom reader: inout JSONReader) throws {
        try self.init(dnsFieldsFrom: &reader, podNames: true)
    }

    /// ``dnsFields(podNames:)`` read without the rest.
    public init(dnsFieldsFrom reader: inout JSONReader, podNames: Bool) throws {
        var seen = SeenKeys()
        var addressType: String?
        var endpoints: [Endpoint]?
        var ports: [EndpointPort]?
        let metadata = try reader.objectWithMetadata(label: Self.serviceNameLabel) { reader, key in
            switch key {
            case "addressType" where seen.first(0): addressType = try reader.nullableString()
            case "endpoints" where seen.first(1):
                guard !reader.null() else { return }
                var kept: [Endpoint] = []
                try reader.array { kept.append(try Endpoint(keptFrom: &$0, podNames: podNames)) }
                endpoints = kept
            case "ports" where seen.first(2):
                guard !reader.null() else { return }
                var kept: [EndpointPort] = []
                try reader.array { kept.append(try EndpointPort(keptFrom: &$0)) }
                ports = kept
            default: try reader.skip()
            }
        }
        self.init(
            keptName: metadata.name, namespace: metadata.namespace, serviceName: metadata.label,
            addressType: addressType, endpoints: endpoints, ports: ports)
    }
}

extension Pod: DNSFieldsDecodable {
    public var dnsFields: Pod {
        Pod(keeping: NameAndNamespace(name: metadata.name, namespace: metadata.namespace), status: status)
    }

    public init(dnsFieldsFrom reader: inout JSONReader) throws {
        var status: PodStatus?
        var seen = SeenKeys()
        let metadata = try reader.objectWithMetadata { reader, key in
            switch key {
            case "status" where seen.first(0): status = reader.null() ? nil : try PodStatus(keptFrom: &reader)
            default: try reader.skip()
            }
        }
        self.init(keeping: metadata, status: status)
    }

    private init(keeping metadata: NameAndNamespace, status: PodStatus?) {
        self.init(name: "", namespace: "", ips: [])
        self.metadata = ObjectMeta(name: metadata.name, namespace: metadata.namespace)
        self.status = status.map { PodStatus(podIP: $0.podIP, podIPs: $0.podIPs) }
    }
}

extension PodStatus {
    /// The pod's addresses; each of `podIPs` must have its `ip`.
    fileprivate init(keptFrom reader: inout JSONReader) throws {
        var seen = SeenKeys()
        self.init()
        try reader.object { reader, key in
            switch key {
            case "podIP" where seen.first(0): podIP = try reader.nullableString()
            case "podIPs" where seen.first(1):
                guard !reader.null() else { return }
                var ips: [PodIP] = []
                try reader.array { reader in
                    var seen = SeenKeys()
                    var ip: String?
                    try reader.object { reader, key in
                        if case "ip" = key, seen.first(0) {
                            ip = try reader.string()
                        } else {
                            try reader.skip()
                        }
                    }
                    guard let ip else { throw reader.missing("ip") }
                    ips.append(PodIP(ip: ip))
                }
                podIPs = ips
            default: try reader.skip()
            }
        }
    }
}
