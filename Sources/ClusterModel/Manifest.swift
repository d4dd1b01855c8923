import Foundation
import Yams

/// Kubernetes manifests (JSON, a `v1 List`, or multi-document YAML) read into registry objects.
public struct Manifest: Sendable {
    /// The objects DNS cares about.
    public var state = ClusterState()
    /// One line per document that was not loaded: `Deployment/web: kind not served by DNS`.
    public var skipped: [String] = []

    public init() {}

    /// Reads a file, or every `.yaml`, `.yml` and `.json` file of a directory in name order.
    public static func load(path: String) throws(ManifestError) -> Manifest {
        var manifest = Manifest()
        for (file, data) in try files(path: path) {
            try manifest.add(data: data, source: file)
        }
        return manifest
    }

    /// The contents of a file, or of every `.yaml`, `.yml` and `.json` file of a directory in
    /// name order, with their paths.
    static func files(path: String) throws(ManifestError) -> [(path: String, data: Data)] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ManifestError(source: path, message: "no such file or directory")
        }
        var files = [path]
        if isDirectory.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            files = names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") || $0.hasSuffix(".json") }
                .sorted().map { (path as NSString).appendingPathComponent($0) }
        }
        var contents: [(path: String, data: Data)] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ManifestError(source: file, message: "cannot read the file")
            }
            contents.append((file, data))
        }
        return contents
    }

    /// Parses one manifest text (JSON, or YAML with any number of documents) and adds its
    /// objects. Nothing is added when any document is invalid.
    public mutating func add(data: Data, source: String) throws(ManifestError) {
        for document in try Self.documents(data: data, source: source) {
            add(document)
        }
    }

    private mutating func add(_ document: ManifestDocument) {
        switch document {
        case .namespace(let namespace): state.namespaces.append(namespace)
        case .service(let service): state.services.append(service)
        case .endpointSlice(let slice): state.endpointSlices.append(slice)
        case .endpoints(let endpoints): state.endpointSlices.append(endpoints.asEndpointSlice())
        case .pod(let pod): state.pods.append(pod)
        case .list(let items): for item in items { add(item) }
        case .other(let kind, let name): skipped.append("\(kind)/\(name): skipped, not a kind DNS serves")
        }
    }

    private static func documents(data: Data, source: String) throws(ManifestError) -> [ManifestDocument] {
        let firstByte = data.first { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }
        if firstByte == UInt8(ascii: "{") || firstByte == UInt8(ascii: "[") {
            do {
                if firstByte == UInt8(ascii: "[") {
                    return try JSONDecoder().decode([ManifestDocument].self, from: data)
                }
                return [try JSONDecoder().decode(ManifestDocument.self, from: data)]
            } catch {
                throw ManifestError(source: source, message: describe(error))
            }
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ManifestError(source: source, message: "not UTF-8 text")
        }
        var documents: [ManifestDocument] = []
        do {
            let parser = try Parser(yaml: text)
            while let node = try parser.nextRoot() {
                // An empty document (a stray `---`) holds nothing to load.
                if node.null != nil { continue }
                do {
                    documents.append(try YAMLDecoder().decode(ManifestDocument.self, from: node))
                } catch {
                    throw ManifestError(source: "\(source) document \(documents.count + 1)", message: describe(error))
                }
            }
        } catch let error as ManifestError {
            throw error
        } catch {
            throw ManifestError(source: source, message: "invalid YAML: \(error)")
        }
        return documents
    }

    static func describe(_ error: any Error) -> String {
        if let invalid = error as? InvalidObject {
            return "invalid \(invalid.kind): \(describe(invalid.error))"
        }
        guard let decoding = error as? DecodingError else { return "\(error)" }
        switch decoding {
        case .keyNotFound(let key, let context):
            return "missing field \(path(context.codingPath + [key]))"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): expected \(typeName(type))"
        case .valueNotFound(_, let context), .dataCorrupted(let context):
            let at = path(context.codingPath)
            return at.isEmpty ? context.debugDescription : "\(at): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    /// `Int` → "a number", for people who write YAML rather than Swift.
    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is UInt16.Type, is Double.Type: return "a number"
        case is Bool.Type: return "true or false"
        case is String.Type: return "a string"
        default: return "\(type)"
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            .trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }
}

/// A manifest that could not be read, with where and why.
public struct ManifestError: Error, CustomStringConvertible, Sendable {
    public var source: String
    public var message: String

    public init(source: String, message: String) {
        self.source = source
        self.message = message
    }

    public var description: String { "\(source): \(message)" }
}
