/// One manifest document, decoded straight into the kind it names (no detour through
/// untyped dictionaries: a 100,000-service list decodes in one pass).
enum ManifestDocument: Decodable {
    case namespace(Namespace)
    case service(Service)
    case endpointSlice(EndpointSlice)
    case endpoints(Endpoints)
    case pod(Pod)
    case list([ManifestDocument])
    /// A kind DNS does not serve, kept for the "skipped" note.
    case other(kind: String, name: String)

    private enum Keys: String, CodingKey {
        case kind, items, metadata
    }

    private struct Metadata: Decodable {
        var name: String?
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        let kind = try container.decodeIfPresent(String.self, forKey: .kind) ?? ""
        func object<T: Decodable>(_ type: T.Type) throws -> T {
            do {
                return try T(from: decoder)
            } catch let error as DecodingError {
                throw InvalidObject(kind: kind, error: error)
            }
        }
        switch kind {
        case "Namespace": self = .namespace(try object(Namespace.self))
        case "Service": self = .service(try object(Service.self))
        case "EndpointSlice": self = .endpointSlice(try object(EndpointSlice.self))
        case "Endpoints": self = .endpoints(try object(Endpoints.self))
        case "Pod": self = .pod(try object(Pod.self))
        case "":
            throw DecodingError.dataCorruptedError(
                forKey: .kind, in: container, debugDescription: "the document has no kind")
        case _ where kind.hasSuffix("List"):
            self = .list(try container.decodeIfPresent([ManifestDocument].self, forKey: .items) ?? [])
        default:
            let name = (try? container.decodeIfPresent(Metadata.self, forKey: .metadata))??.name ?? "?"
            self = .other(kind: kind, name: name)
        }
    }
}

/// A document of a kind we serve that does not decode: says which kind, then where and why.
struct InvalidObject: Error {
    var kind: String
    var error: DecodingError
}
