/// core/v1 Endpoints, the older API that manifests still carry; converted to an EndpointSlice.
public struct Endpoints: Codable, Sendable, Hashable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var subsets: [EndpointSubset]?

    public var name: String { metadata.name ?? "" }
    public var namespace: String { metadata.namespace ?? "default" }

    /// The equivalent slice: one endpoint per address, not-ready addresses with `ready: false`.
    /// The slice is named after the service, as the EndpointSlice mirroring controller does.
    public func asEndpointSlice() -> EndpointSlice {
        var endpoints: [Endpoint] = []
        var ports: [EndpointPort] = []
        for subset in subsets ?? [] {
            for address in subset.addresses ?? [] {
                endpoints.append(address.endpoint(ready: true))
            }
            for address in subset.notReadyAddresses ?? [] {
                endpoints.append(address.endpoint(ready: false))
            }
            for port in subset.ports ?? [] where !ports.contains(port) {
                ports.append(port)
            }
        }
        let family = endpoints.first.map { $0.addresses.first?.contains(":") == true } == true
        return EndpointSlice(
            name: name, namespace: namespace, serviceName: name,
            addressType: family ? "IPv6" : "IPv4", endpoints: endpoints,
            ports: ports.isEmpty ? nil : ports)
    }
}

public struct EndpointSubset: Codable, Sendable, Hashable {
    public var addresses: [EndpointAddress]?
    public var notReadyAddresses: [EndpointAddress]?
    public var ports: [EndpointPort]?
}

public struct EndpointAddress: Codable, Sendable, Hashable {
    public var ip: String
    public var hostname: String?
    public var targetRef: ObjectReference?

    func endpoint(ready: Bool) -> Endpoint {
        Endpoint(addresses: [ip], ready: ready, hostname: hostname, targetRef: targetRef)
    }
}
