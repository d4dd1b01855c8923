/// The part of Kubernetes `metadata` that DNS and the registry use.
///
/// Unknown fields are ignored when decoding; the registry keeps the raw JSON of an object when
/// it must hand it back unchanged.
public struct ObjectMeta: Codable, Sendable, Hashable {
    public var name: String?
    public var namespace: String?
    public var uid: String?
    public var resourceVersion: String?
    public var creationTimestamp: String?
    public var generateName: String?
    public var labels: [String: String]?
    public var annotations: [String: String]?

    public init(
        name: String? = nil, namespace: String? = nil, uid: String? = nil,
        resourceVersion: String? = nil, creationTimestamp: String? = nil,
        generateName: String? = nil, labels: [String: String]? = nil,
        annotations: [String: String]? = nil
    ) {
        self.name = name
        self.namespace = namespace
        self.uid = uid
        self.resourceVersion = resourceVersion
        self.creationTimestamp = creationTimestamp
        self.generateName = generateName
        self.labels = labels
        self.annotations = annotations
    }
}

/// A reference from an endpoint to the object behind it (usually a Pod).
public struct ObjectReference: Codable, Sendable, Hashable {
    public var kind: String?
    public var name: String?
    public var namespace: String?
    public var uid: String?

    public init(kind: String? = nil, name: String? = nil, namespace: String? = nil, uid: String? = nil) {
        self.kind = kind
        self.name = name
        self.namespace = namespace
        self.uid = uid
    }
}

/// Kubernetes `IntOrString` (a Service port's `targetPort`).
public enum IntOrString: Codable, Sendable, Hashable {
    case int(Int)
    case string(String)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else {
            self = .string(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        }
    }
}
