import ClusterModel
import Foundation

/// A kind the feed follows: decodable from the API's JSON and known by a unique key.
protocol ClusterObject: Decodable, DNSFieldsDecodable, Sendable, Equatable {
    static var resource: KubeResource { get }
    var metadata: ObjectMeta { get }
    /// Only what DNS reads (see ClusterModel's `DNSFields`).
    var dnsFields: Self { get }
    /// What the feed keeps of it: ``dnsFields`` as `options` configure them.
    func kept(_ options: FeedOptions) -> Self
    /// ``kept(_:)`` read from JSON without the rest.
    static func kept(from reader: inout JSONReader, _ options: FeedOptions) throws -> Self
    /// Writes `object` (nil: deleted) under `key` in the delta's table of this kind.
    static func record(_ object: Self?, key: String, in delta: inout ClusterDelta)
    /// The store's table of this kind.
    static var table: WritableKeyPath<ObjectTables, [String: Self]> { get }
}

/// The objects of each kind by key, each kind in a table of its own type: in one table of
/// `any ClusterObject` per kind, an entry was 56 bytes (a 40-byte existential) where a
/// service's fields are one 8-byte reference; a relist's table at N = 100,000 was 16.5 MB
/// (heaptrack at the peak), and the cold start's peak went down 6-11 MB (alternating runs).
struct ObjectTables: Sendable {
    var namespaces: [String: Namespace] = [:]
    var services: [String: Service] = [:]
    var endpointSlices: [String: EndpointSlice] = [:]
    var pods: [String: Pod] = [:]
}

extension ClusterObject {
    func kept(_ options: FeedOptions) -> Self { dnsFields }

    static func kept(from reader: inout JSONReader, _ options: FeedOptions) throws -> Self {
        try Self(dnsFieldsFrom: &reader)
    }

    /// `namespace/name`, or `name` for cluster-scoped kinds.
    var key: String {
        let name = metadata.name ?? ""
        guard Self.resource.isNamespaced else { return name }
        return "\(metadata.namespace ?? "default")/\(name)"
    }
}

extension Namespace: ClusterObject {
    static var table: WritableKeyPath<ObjectTables, [String: Self]> { \.namespaces }
    static var resource: KubeResource { .namespaces }
    static func record(_ object: Self?, key: String, in delta: inout ClusterDelta) { delta.namespaces[key] = .some(object) }
}

extension Service: ClusterObject {
    static var table: WritableKeyPath<ObjectTables, [String: Self]> { \.services }
    static var resource: KubeResource { .services }
    static func record(_ object: Self?, key: String, in delta: inout ClusterDelta) { delta.services[key] = .some(object) }
}

extension EndpointSlice: ClusterObject {
    func kept(_ options: FeedOptions) -> Self { dnsFields(podNames: options.endpointPodNames) }

    static func kept(from reader: inout JSONReader, _ options: FeedOptions) throws -> Self {
        try EndpointSlice(dnsFieldsFrom: &reader, podNames: options.endpointPodNames)
    }

    static var table: WritableKeyPath<ObjectTables, [String: Self]> { \.endpointSlices }
    static var resource: KubeResource { .endpointSlices }
    static func record(_ object: Self?, key: String, in delta: inout ClusterDelta) {
        delta.endpointSlices[key] = .some(object)
    }
}

extension Pod: ClusterObject {
    static var table: WritableKeyPath<ObjectTables, [String: Self]> { \.pods }
    static var resource: KubeResource { .pods }
    static func record(_ object: Self?, key: String, in delta: inout ClusterDelta) { delta.pods[key] = .some(object) }
}

/// A list response: the items, read straight into ``ClusterObject/kept(_:)`` (the other
/// fields are never decoded, nor held for a list of 100,000 objects), and the version to watch from.
struct ObjectListOf<T: ClusterObject> {
    var resourceVersion: String?
    /// Where the next page starts; absent or empty on the last one.
    var next: String?
    /// How many objects follow this page, when the server says (`remainingItemCount`).
    var remaining: Int?
    var items: [T]?

    init(json: Data, _ options: FeedOptions) throws {
        var (resourceVersion, next, remaining, items): (String?, String?, Int?, [T]?) = (nil, nil, nil, nil)
        var seen = SeenKeys()
        try JSONReader.read(json) { reader in
            try reader.object { reader, key in
                switch key {
                case "metadata" where seen.first(0):
                    guard !reader.null() else { return }
                    var seenInMetadata = SeenKeys()
                    try reader.object { reader, key in
                        switch key {
                        case "resourceVersion" where seenInMetadata.first(0): resourceVersion = try reader.nullableString()
                        case "continue" where seenInMetadata.first(1): next = try reader.nullableString()
                        case "remainingItemCount" where seenInMetadata.first(2):
                            remaining = try reader.nullableInt()
                        default: try reader.skip()
                        }
                    }
                case "items" where seen.first(1):
                    guard !reader.null() else { return }
                    var list: [T] = []
                    try reader.array { list.append(try T.kept(from: &$0, options)) }
                    items = list
                default: try reader.skip()
                }
            }
        }
        (self.resourceVersion, self.next, self.remaining, self.items) = (resourceVersion, next, remaining, items)
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
