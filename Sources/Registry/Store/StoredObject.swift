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

    /// How deeply a request body may nest arrays and objects. Kubernetes objects of the kinds
    /// served here nest about 10 levels; the limit leaves room for unknown fields while keeping
    /// every stored object readable by clients whose decoders stop at 512 levels (Foundation's)
    /// once it is wrapped in a watch event or a list, and keeps the recursive decoding of a
    /// `JSONValue` far from the end of a thread's stack.
    static let maxDepth = 100

    /// Decodes a request body into a JSON tree; a body that is not JSON, or nests deeper than
    /// `maxDepth`, is a bad request.
    static func parse(_ data: Data) throws(RegistryError) -> JSONValue {
        // Checked before decoding, with a loop and no recursion: 100,000 `[` cost one pass.
        if let offset = depthExceeded(data, limit: maxDepth) {
            throw .badRequest(
                "the request body is not valid JSON: nested more than \(maxDepth) levels deep (at byte \(offset))")
        }
        do {
            return try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw .badRequest("the request body is not valid JSON: \(describe(error))")
        }
    }

    /// The offset of the first `[` or `{` that opens level `limit + 1`, outside strings; nil
    /// when the data never nests that deep. Only nesting is looked at: the decoder judges the rest.
    static func depthExceeded(_ data: Data, limit: Int) -> Int? {
        data.withUnsafeBytes { bytes -> Int? in
            var depth = 0
            var inString = false
            var escaped = false
            for (offset, byte) in bytes.enumerated() {
                if inString {
                    if escaped {
                        escaped = false
                    } else if byte == UInt8(ascii: "\\") {
                        escaped = true
                    } else if byte == UInt8(ascii: "\"") {
                        inString = false
                    }
                    continue
                }
                switch byte {
                case UInt8(ascii: "\""):
                    inString = true
                case UInt8(ascii: "["), UInt8(ascii: "{"):
                    depth += 1
                    if depth > limit { return offset }
                case UInt8(ascii: "]"), UInt8(ascii: "}"):
                    depth -= 1
                default:
                    break
                }
            }
            return nil
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
