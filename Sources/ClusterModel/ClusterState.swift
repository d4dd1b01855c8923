/// Everything the registry holds that DNS answers depend on: the input of a zone snapshot.
public struct ClusterState: Sendable, Hashable {
    public var namespaces: [Namespace]
    public var services: [Service]
    public var endpointSlices: [EndpointSlice]
    public var pods: [Pod]

    public init(
        namespaces: [Namespace] = [], services: [Service] = [],
        endpointSlices: [EndpointSlice] = [], pods: [Pod] = []
    ) {
        self.namespaces = namespaces
        self.services = services
        self.endpointSlices = endpointSlices
        self.pods = pods
    }

    /// Namespaces that exist: created explicitly, or named by any object in them.
    public var namespaceNames: Set<String> {
        var names = Set(namespaces.map(\.name))
        names.formUnion(services.map(\.namespace))
        names.formUnion(endpointSlices.map(\.namespace))
        names.formUnion(pods.map(\.namespace))
        return names
    }
}
