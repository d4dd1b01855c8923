import ClusterModel

/// A kind the feed follows: decodable from the API's JSON and known by a unique key.
protocol ClusterObject: Decodable, Sendable {
    static var resource: KubeResource { get }
    var metadata: ObjectMeta { get }
}

extension ClusterObject {
    /// `namespace/name`, or `name` for cluster-scoped kinds.
    var key: String {
        let name = metadata.name ?? ""
        guard Self.resource.isNamespaced else { return name }
        return "\(metadata.namespace ?? "default")/\(name)"
    }
}

extension Namespace: ClusterObject { static var resource: KubeResource { .namespaces } }
extension Service: ClusterObject { static var resource: KubeResource { .services } }
extension EndpointSlice: ClusterObject { static var resource: KubeResource { .endpointSlices } }
extension Pod: ClusterObject { static var resource: KubeResource { .pods } }

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
