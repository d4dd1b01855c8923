/// core/v1 Pod, shrunk to what DNS needs: name, namespace and IPs. Its fields share one
/// allocation between copies (see ``CopyOnWrite``).
public struct Pod: Codable, Sendable, Hashable {
    private struct Fields: Codable, Sendable, Hashable {
        var apiVersion: String?
        var kind: String?
        var metadata: ObjectMeta
        var status: PodStatus?
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
    public var status: PodStatus? {
        get { fields.value.status }
        set { fields.value.status = newValue }
    }

    public init(name: String, namespace: String, ips: [String]) {
        fields = CopyOnWrite(Fields(
            apiVersion: "v1", kind: "Pod", metadata: ObjectMeta(name: name, namespace: namespace),
            status: PodStatus(podIP: ips.first, podIPs: ips.map { PodIP(ip: $0) })))
    }

    public init(from decoder: any Decoder) throws {
        fields = CopyOnWrite(try Fields(from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        try fields.value.encode(to: encoder)
    }

    public var name: String { fields.value.metadata.name ?? "" }
    public var namespace: String { fields.value.metadata.namespace ?? "default" }

    /// Every IP of the pod, `podIPs` first, `podIP` when that is all there is.
    public var ips: [String] {
        var result = status?.podIPs?.map(\.ip) ?? []
        if let single = status?.podIP, !single.isEmpty, !result.contains(single) {
            result.insert(single, at: 0)
        }
        return result
    }
}

public struct PodStatus: Codable, Sendable, Hashable {
    public var podIP: String?
    public var podIPs: [PodIP]?

    public init(podIP: String? = nil, podIPs: [PodIP]? = nil) {
        self.podIP = podIP
        self.podIPs = podIPs
    }
}

public struct PodIP: Codable, Sendable, Hashable {
    public var ip: String

    public init(ip: String) { self.ip = ip }
}
