import ClusterModel

/// A kind the feed follows: decodable from the API's JSON and known by a unique key.
protocol ClusterObject: Decodable, DNSFieldsDecodable, Sendable, Equatable {
    static var resource: KubeResource { get }
    var metadata: ObjectMeta { get }
    /// What the feed keeps of it: only what DNS reads (see ClusterModel's `DNSFields`).
    var dnsFields: Self { get }
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

/// A list response: the items, decoded straight into ``ClusterObject/dnsFields`` (the other
/// fields are never read, nor held for a list of 100,000 objects), and the version to watch from.
struct ObjectListOf<T: ClusterObject>: Decodable {
    struct Metadata: Decodable {
        var resourceVersion: String?
        /// Where the next page starts; absent or empty on the last one.
        var next: String?

        private enum CodingKeys: String, CodingKey {
            case resourceVersion
            case next = "continue"
        }
    }
    var metadata: Metadata?
    var items: [T]?

    private enum CodingKeys: String, CodingKey { case metadata, items }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decodeIfPresent(Metadata.self, forKey: .metadata)
        guard try container.contains(.items) && !container.decodeNil(forKey: .items) else { return }
        var list = try container.nestedUnkeyedContainer(forKey: .items)
        var items: [T] = []
        items.reserveCapacity(list.count ?? 0)
        while !list.isAtEnd { items.append(try list.decode(DNSFieldsOf<T>.self).object) }
        self.items = items
    }
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
