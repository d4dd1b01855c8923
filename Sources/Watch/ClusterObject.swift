import ClusterModel

/// A kind the feed follows: decodable from the API's JSON and known by a unique key.
protocol ClusterObject: Decodable, Sendable, Equatable {
    static var resource: KubeResource { get }
    var metadata: ObjectMeta { get }
    /// Writes `object` (nil: deleted) under `key` in the delta's table of this kind.
    static func record(_ object: Self?, key: String, in delta: inout ClusterDelta)
}

extension ClusterObject {
    /// `namespace/name`, or `name` for cluster-scoped kinds.
    var key: String {
        let name = metadata.name ?? ""
        guard Self.resource.isNamespaced else { return name }
        return "\(metadata.namespace ?? "default")/\(name)"
    }
}

extension Namespace: ClusterObject {
    static var resource: KubeResource { .namespaces }
    static func record(_ object: Self?, key: String, in delta: inout ClusterDelta) { delta.namespaces[key] = .some(object) }
}

extension Service: ClusterObject {
    static var resource: KubeResource { .services }
    static func record(_ object: Self?, key: String, in delta: inout ClusterDelta) { delta.services[key] = .some(object) }
}

extension EndpointSlice: ClusterObject {
    static var resource: KubeResource { .endpointSlices }
    static func record(_ object: Self?, key: String, in delta: inout ClusterDelta) {
        delta.endpointSlices[key] = .some(object)
    }
}

extension Pod: ClusterObject {
    static var resource: KubeResource { .pods }
    static func record(_ object: Self?, key: String, in delta: inout ClusterDelta) { delta.pods[key] = .some(object) }
}

/// A list response: the items and the version to watch from.
struct ObjectListOf<T: ClusterObject>: Decodable {
    struct Metadata: Decodable { var resourceVersion: String? }
    var metadata: Metadata?
    var items: [T]?
}

/// One watch event line. ERROR events carry a `Status` instead of an object.
struct EventHeader: Decodable {
    var type: String
}

struct EventOf<T: Decodable>: Decodable {
    var type: String
    var object: T
}

/// A BOOKMARK event's object: only its resourceVersion matters.
struct Bookmark: Decodable {
    var metadata: ObjectMeta
}
