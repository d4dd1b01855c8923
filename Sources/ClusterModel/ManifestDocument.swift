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
        switch kind {
        case "Namespace": self = .namespace(try Namespace(from: decoder))
        case "Service": self = .service(try Service(from: decoder))
        case "EndpointSlice": self = .endpointSlice(try EndpointSlice(from: decoder))
        case "Endpoints": self = .endpoints(try Endpoints(from: decoder))
        case "Pod": self = .pod(try Pod(from: decoder))
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
