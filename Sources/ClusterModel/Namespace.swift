/// core/v1 Namespace.
public struct Namespace: Codable, Sendable, Hashable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta

    public init(name: String) {
        self.apiVersion = "v1"
        self.kind = "Namespace"
        self.metadata = ObjectMeta(name: name)
    }

    public var name: String { metadata.name ?? "" }
}
