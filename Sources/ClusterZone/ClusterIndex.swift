import ClusterModel

/// The registry's objects as the engine last applied them, by key, with what ties them
/// together: the slices of each service and the objects naming each namespace.
struct ClusterIndex: Sendable {
    private(set) var namespaceObjects: [String: Namespace] = [:]
    private(set) var services: [String: Service] = [:]
    private(set) var slices: [String: EndpointSlice] = [:]
    private(set) var pods: [String: Pod] = [:]
    /// `namespace/service` → keys of the slices labelled with it.
    private var slicesByService: [String: Set<String>] = [:]
    /// Objects of any kind in each namespace: it exists while there is one.
    private var namespaceReferences: [String: Int] = [:]

    /// The objects whose records a delta changes.
    struct Affected {
        var services: Set<String> = []
        var slices: Set<String> = []
        var pods: Set<String> = []
        var namespaces: Set<String> = []
    }


    func namespaceExists(_ namespace: String) -> Bool {
        namespaceReferences[namespace] != nil
    }

    func hasSlices(ofService key: String) -> Bool {
        slicesByService[key] != nil
    }

    func slices(ofService key: String) -> [EndpointSlice] {
        (slicesByService[key] ?? []).sorted().compactMap { slices[$0] }
    }

    var everything: Affected {
        Affected(
            services: Set(services.keys), slices: Set(slices.keys), pods: Set(pods.keys),
            namespaces: Set(namespaceReferences.keys))
    }

    func affected(by delta: ClusterDelta) -> Affected {
        var affected = Affected()
        for (key, namespace) in delta.namespaces {
            affected.namespaces.insert(namespace?.name ?? namespaceObjects[key]?.name ?? key)
        }
        for (key, service) in delta.services {
            affected.services.insert(key)
            affected.namespaces.insert(service?.namespace ?? services[key]?.namespace ?? "")
        }
        for (key, slice) in delta.endpointSlices {
            affected.slices.insert(key)
            for version in [slices[key], slice] {
                guard let version else { continue }
                affected.namespaces.insert(version.namespace)
                if let owner = Self.serviceKey(of: version) { affected.services.insert(owner) }
            }
        }
        for (key, pod) in delta.pods {
            affected.pods.insert(key)
            affected.namespaces.insert(pod?.namespace ?? pods[key]?.namespace ?? "")
        }
        affected.namespaces.remove("")
        return affected
    }

    mutating func apply(_ delta: ClusterDelta) {
        for (key, namespace) in delta.namespaces {
            recount(namespaceObjects[key]?.name, namespace?.name)
            namespaceObjects[key] = namespace
        }
        for (key, service) in delta.services {
            recount(services[key]?.namespace, service?.namespace)
            services[key] = service
        }
        for (key, slice) in delta.endpointSlices {
            if let old = slices[key], let owner = Self.serviceKey(of: old) {
                slicesByService[owner]?.remove(key)
                if slicesByService[owner]?.isEmpty == true { slicesByService[owner] = nil }
            }
            recount(slices[key]?.namespace, slice?.namespace)
            slices[key] = slice
            if let slice, let owner = Self.serviceKey(of: slice) {
                slicesByService[owner, default: []].insert(key)
            }
        }
        for (key, pod) in delta.pods {
            recount(pods[key]?.namespace, pod?.namespace)
            pods[key] = pod
        }
    }

    /// An object in namespace `old` (nil: none) is now in `new` (nil: deleted).
    private mutating func recount(_ old: String?, _ new: String?) {
        if let old, let count = namespaceReferences[old] {
            namespaceReferences[old] = count > 1 ? count - 1 : nil
        }
        if let new { namespaceReferences[new, default: 0] += 1 }
    }

    /// The changes that turn the current objects into `state`'s.
    func difference(to state: ClusterState) -> ClusterDelta {
        var delta = ClusterDelta()
        Self.diff(namespaceObjects, state.namespaces, key: ClusterDelta.key, into: &delta.namespaces)
        Self.diff(services, state.services, key: ClusterDelta.key, into: &delta.services)
        Self.diff(slices, state.endpointSlices, key: ClusterDelta.key, into: &delta.endpointSlices)
        Self.diff(pods, state.pods, key: ClusterDelta.key, into: &delta.pods)
        return delta
    }

    private static func diff<T: Equatable>(
        _ current: [String: T], _ objects: [T], key: (T) -> String, into changes: inout [String: T?]
    ) {
        var seen = Set<String>()
        for object in objects {
            let objectKey = key(object)
            seen.insert(objectKey)
            if current[objectKey] != object { changes[objectKey] = .some(object) }
        }
        for objectKey in current.keys where !seen.contains(objectKey) {
            changes[objectKey] = .some(nil)
        }
    }

    static func serviceKey(of slice: EndpointSlice) -> String? {
        guard let name = slice.serviceName else { return nil }
        return slice.namespace + "/" + name
    }
}
