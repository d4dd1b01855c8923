import Foundation
import Yams

/// One object of a manifest, decoded on its own: for a bulk import, where an object that does
/// not decode is reported and skipped while the others are still stored. (`Manifest` itself
/// refuses a whole file when one document is bad, which is right for `--manifests`.)
public enum ManifestEntry: Sendable {
    case namespace(Namespace)
    case service(Service)
    /// An EndpointSlice, or a core/v1 Endpoints converted to one (as `Manifest` does).
    case endpointSlice(EndpointSlice)
    case pod(Pod)
    /// A kind DNS does not serve: `Deployment/web: skipped, not a kind DNS serves`.
    case skipped(String)
    /// A document of a served kind that does not decode: where, which object, and why.
    case invalid(source: String, kind: String, name: String, message: String)
}

extension Manifest {
    /// Every object of a file (or of a directory's `.yaml`, `.yml` and `.json` files, in name
    /// order), one entry each, `List` items flattened, in file order. Only a file that cannot be
    /// read or parsed at all (not JSON, not YAML) throws.
    public static func entries(path: String) throws(ManifestError) -> [ManifestEntry] {
        var entries: [ManifestEntry] = []
        for (file, data) in try files(path: path) {
            entries += try Self.entries(data: data, source: file)
        }
        return entries
    }

    /// The objects of one manifest text (JSON, or YAML with any number of documents).
    public static func entries(data: Data, source: String) throws(ManifestError) -> [ManifestEntry] {
        let firstByte = data.first { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }
        if firstByte == UInt8(ascii: "{") || firstByte == UInt8(ascii: "[") {
            do {
                let decoder = JSONDecoder()
                decoder.userInfo[LenientDocument.sourceKey] = source
                if firstByte == UInt8(ascii: "[") {
                    return try decoder.decode([LenientDocument].self, from: data).flatMap(\.entries)
                }
                return try decoder.decode(LenientDocument.self, from: data).entries
            } catch {
                throw ManifestError(source: source, message: "not a JSON manifest: \(describe(error))")
            }
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ManifestError(source: source, message: "not UTF-8 text")
        }
        var entries: [ManifestEntry] = []
        do {
            let parser = try Parser(yaml: text)
            var index = 0
            while let node = try parser.nextRoot() {
                index += 1
                if node.null != nil { continue }
                let where_ = "\(source) document \(index)"
                do {
                    entries += try YAMLDecoder().decode(
                        LenientDocument.self, from: node, userInfo: [LenientDocument.sourceKey: where_]
                    ).entries
                } catch {
                    // Not even a mapping with a kind: one invalid entry for the whole document.
                    entries.append(.invalid(source: where_, kind: "?", name: "?", message: describe(error)))
                }
            }
        } catch {
            throw ManifestError(source: source, message: "invalid YAML: \(error)")
        }
        return entries
    }
}

/// A document that never fails to decode as long as it is a mapping: a served kind that does
/// not decode becomes an `.invalid` entry with its kind and name.
private struct LenientDocument: Decodable {
    static let sourceKey = CodingUserInfoKey(rawValue: "clusterdns.manifest.source")!
    var entries: [ManifestEntry]

    private enum Keys: String, CodingKey { case kind, items, metadata }
    private struct Metadata: Decodable {
        var name: String?
        var namespace: String?
    }

    init(from decoder: any Decoder) throws {
        let source = decoder.userInfo[Self.sourceKey] as? String ?? "manifest"
        let container = try decoder.container(keyedBy: Keys.self)
        let kind = (try? container.decodeIfPresent(String.self, forKey: .kind)) ?? ""
        let metadata = (try? container.decodeIfPresent(Metadata.self, forKey: .metadata)) ?? nil
        let name = metadata.map { m in (m.namespace.map { "\($0)/" } ?? "") + (m.name ?? "?") } ?? "?"
        func decoded(_ make: () throws -> ManifestEntry) -> [ManifestEntry] {
            do {
                return [try make()]
            } catch {
                return [.invalid(source: source, kind: kind, name: name, message: Manifest.describe(error))]
            }
        }
        switch kind {
        case "Namespace": entries = decoded { .namespace(try Namespace(from: decoder)) }
        case "Service": entries = decoded { .service(try Service(from: decoder)) }
        case "EndpointSlice": entries = decoded { .endpointSlice(try EndpointSlice(from: decoder)) }
        case "Endpoints": entries = decoded { .endpointSlice(try Endpoints(from: decoder).asEndpointSlice()) }
        case "Pod": entries = decoded { .pod(try Pod(from: decoder)) }
        case "":
            entries = [.invalid(source: source, kind: "?", name: name, message: "the document has no kind")]
        case _ where kind.hasSuffix("List"):
            do {
                entries = (try container.decodeIfPresent([LenientDocument].self, forKey: .items) ?? []).flatMap(\.entries)
            } catch {
                entries = [.invalid(source: source, kind: kind, name: name, message: Manifest.describe(error))]
            }
        default:
            entries = [.skipped("\(kind)/\(name): skipped, not a kind DNS serves")]
        }
    }
}
