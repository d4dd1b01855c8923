/// core/v1 Pod, shrunk to what DNS needs: name, namespace and IPs.
public struct Pod: Codable, Sendable, Hashable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var status: PodStatus?

    public init(name: String, namespace: String, ips: [String]) {
        self.apiVersion = "v1"
        self.kind = "Pod"
        self.metadata = ObjectMeta(name: name, namespace: namespace)
        self.status = PodStatus(podIP: ips.first, podIPs: ips.map { PodIP(ip: $0) })
    }

    public var name: String { metadata.name ?? "" }
    public var namespace: String { metadata.namespace ?? "default" }

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
