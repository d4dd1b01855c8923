import ClusterModel
import Foundation

/// One object as the registry keeps it: identity, version, and the JSON the client sent (with
/// the fields the registry sets), byte for byte, so reads need no re-encoding.
struct StoredObject: Sendable {
    var resource: KubeResource
    /// Empty for cluster-scoped objects (namespaces).
    var namespace: String
    var name: String
    var resourceVersion: Int64
    var json: Data

    /// The object's labels, read from its JSON (for label selectors). The registry encoded that
    /// JSON itself, so it decodes; were it ever not to, the object has no labels to match.
    var labels: [String: String] {
        let value = try? JSONDecoder().decode(LabelsOnly.self, from: json)
        return value?.metadata?.labels ?? [:]
    }

    private struct LabelsOnly: Decodable {
        struct Meta: Decodable { var labels: [String: String]? }
        var metadata: Meta?
    }
}

/// A change to one object, as a watch reports it.
struct WatchEvent: Sendable {
    enum Kind: String, Sendable {
        case added = "ADDED"
        case modified = "MODIFIED"
        case deleted = "DELETED"
    }

    var type: Kind
    /// The object after the change (for DELETED: its last state, with the deletion's version).
    var object: StoredObject

    var resourceVersion: Int64 { object.resourceVersion }
}

/// JSON encoding shared by the store and the HTTP layer: sorted keys make output stable.
enum RegistryJSON {
    static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    /// Decodes a request body into a JSON tree; a body that is not JSON is a bad request.
    static func parse(_ data: Data) throws(RegistryError) -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw .badRequest("the request body is not valid JSON: \(describe(error))")
        }
    }

    /// A decoding error as `field.path: what was wrong`.
    static func describe(_ error: any Error) -> String {
        guard let decoding = error as? DecodingError else { return "\(error)" }
        switch decoding {
        case .keyNotFound(let key, let context):
            return "missing field \(path(context.codingPath + [key]))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let where_ = path(context.codingPath)
            return where_.isEmpty ? context.debugDescription : "\(where_): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        var text = ""
        for key in keys {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text
    }
}
