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
        var manifest = Manifest()
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ManifestError(source: file, message: "cannot read the file")
            }
            try manifest.add(data: data, source: file)
        }
        return manifest
    }

    /// Parses one manifest text and adds its objects.
    public mutating func add(data: Data, source: String) throws(ManifestError) {
        for (index, document) in try Self.documents(data: data, source: source).enumerated() {
            try add(document: document, source: "\(source) document \(index + 1)")
        }
    }

    private mutating func add(document: [String: Any], source: String) throws(ManifestError) {
        let kind = document["kind"] as? String ?? ""
        if kind == "List" || kind.hasSuffix("List") {
            for (index, item) in ((document["items"] as? [Any]) ?? []).enumerated() {
                guard let object = item as? [String: Any] else {
                    throw ManifestError(source: source, message: "item \(index + 1) of the list is not an object")
                }
                try add(document: object, source: "\(source) item \(index + 1)")
            }
            return
        }
        let json: Data
        do {
            json = try JSONSerialization.data(withJSONObject: document)
        } catch {
            throw ManifestError(source: source, message: "cannot be converted to JSON: \(error)")
        }
        do {
            let decoder = JSONDecoder()
            switch kind {
            case "Namespace": state.namespaces.append(try decoder.decode(Namespace.self, from: json))
            case "Service": state.services.append(try decoder.decode(Service.self, from: json))
            case "EndpointSlice": state.endpointSlices.append(try decoder.decode(EndpointSlice.self, from: json))
            case "Endpoints": state.endpointSlices.append(try decoder.decode(Endpoints.self, from: json).asEndpointSlice())
            case "Pod": state.pods.append(try decoder.decode(Pod.self, from: json))
            case "":
                throw ManifestError(source: source, message: "the document has no kind")
            default:
                let name = (document["metadata"] as? [String: Any])?["name"] as? String ?? "?"
                skipped.append("\(kind)/\(name): skipped, not a kind DNS serves")
            }
        } catch let error as ManifestError {
            throw error
        } catch {
            throw ManifestError(source: source, message: "invalid \(kind): \(Self.describe(error))")
        }
    }

    private static func documents(data: Data, source: String) throws(ManifestError) -> [[String: Any]] {
        let firstByte = data.first { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }
        if firstByte == UInt8(ascii: "{") || firstByte == UInt8(ascii: "[") {
            do {
                let value = try JSONSerialization.jsonObject(with: data)
                if let object = value as? [String: Any] { return [object] }
                if let array = value as? [Any] { return try objects(array, source: source) }
                throw ManifestError(source: source, message: "expected a JSON object or array")
            } catch let error as ManifestError {
                throw error
            } catch {
                throw ManifestError(source: source, message: "invalid JSON: \(error.localizedDescription)")
            }
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ManifestError(source: source, message: "not UTF-8 text")
        }
        do {
            // Iterate the parser directly: Yams' sequence API keeps parse errors to itself.
            let parser = try Parser(yaml: text)
            var values: [Any] = []
            while let node = try parser.nextRoot() {
                // An empty document (a stray `---`) holds nothing to load.
                if node.any is NSNull { continue }
                values.append(node.any)
            }
            return try objects(values, source: source)
        } catch let error as ManifestError {
            throw error
        } catch {
            throw ManifestError(source: source, message: "invalid YAML: \(error)")
        }
    }

    private static func objects(_ values: [Any], source: String) throws(ManifestError) -> [[String: Any]] {
        try values.enumerated().map { (index, value) throws(ManifestError) in
            guard let object = value as? [String: Any] else {
                throw ManifestError(source: source, message: "document \(index + 1) is not an object")
            }
            return object
        }
    }

    private static func describe(_ error: any Error) -> String {
        guard let decoding = error as? DecodingError else { return "\(error)" }
        switch decoding {
        case .keyNotFound(let key, let context):
            return "missing field \(path(context.codingPath + [key]))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
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
