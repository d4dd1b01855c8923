/// What changed since the previous delta, by kind and key (`namespace/name`; the name alone for
/// namespaces): the object as it is now, or nil when it was deleted. A later change of the same
/// object replaces an earlier one, so a burst of writes costs one entry per object.
public struct ClusterDelta: Sendable, Equatable {
    public var namespaces: [String: Namespace?] = [:]
    public var services: [String: Service?] = [:]
    public var endpointSlices: [String: EndpointSlice?] = [:]
    public var pods: [String: Pod?] = [:]

    public init() {}

    /// Every object of `state`, as additions.
    public init(adding state: ClusterState) {
        for namespace in state.namespaces { namespaces[Self.key(namespace)] = namespace }
        for service in state.services { services[Self.key(service)] = service }
        for slice in state.endpointSlices { endpointSlices[Self.key(slice)] = slice }
        for pod in state.pods { pods[Self.key(pod)] = pod }
    }

    public var isEmpty: Bool { count == 0 }
    public var count: Int { namespaces.count + services.count + endpointSlices.count + pods.count }

    /// Adds the changes of a later delta: where both name an object, the later one wins.
    public mutating func merge(_ later: ClusterDelta) {
        // A whole list arrives as one delta: taken as it is, not copied entry by entry.
        guard !isEmpty else {
            self = later
            return
        }
        namespaces.merge(later.namespaces) { _, new in new }
        services.merge(later.services) { _, new in new }
        endpointSlices.merge(later.endpointSlices) { _, new in new }
        pods.merge(later.pods) { _, new in new }
    }

    /// `state` with this delta applied: objects replaced, added or removed by key.
    public func applied(to state: ClusterState) -> ClusterState {
        ClusterState(
            namespaces: Self.apply(namespaces, to: state.namespaces, key: Self.key),
            services: Self.apply(services, to: state.services, key: Self.key),
            endpointSlices: Self.apply(endpointSlices, to: state.endpointSlices, key: Self.key),
            pods: Self.apply(pods, to: state.pods, key: Self.key))
    }

    private static func apply<T>(_ changes: [String: T?], to objects: [T], key: (T) -> String) -> [T] {
        guard !changes.isEmpty else { return objects }
        var result = objects.filter { changes[key($0)] == nil }
        for (_, object) in changes.sorted(by: { $0.key < $1.key }) {
            if let object { result.append(object) }
        }
        return result
    }

    public static func key(_ namespace: Namespace) -> String { namespace.name }
    public static func key(_ service: Service) -> String { service.namespace + "/" + service.name }
    public static func key(_ slice: EndpointSlice) -> String { slice.namespace + "/" + slice.name }
    public static func key(_ pod: Pod) -> String { pod.namespace + "/" + pod.name }
}
