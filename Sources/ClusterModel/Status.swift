/// meta/v1 `Status`: how the Kubernetes API (and the embedded registry) reports a failure, or the
/// success of a delete. Clients read `code` and `reason`; people read `message`.
public struct Status: Codable, Sendable, Hashable, Error {
    public var kind: String = "Status"
    public var apiVersion: String = "v1"
    public var metadata: [String: String] = [:]
    /// `Success` or `Failure`.
    public var status: String
    public var message: String?
    /// A machine-readable word: `NotFound`, `AlreadyExists`, `Invalid`, `Conflict`, `Expired`...
    public var reason: String?
    public var details: StatusDetails?
    /// The HTTP status code this Status travels with.
    public var code: Int

    public init(
        status: String = "Failure", message: String?, reason: String?, code: Int,
        details: StatusDetails? = nil
    ) {
        self.status = status
        self.message = message
        self.reason = reason
        self.code = code
        self.details = details
    }
}

/// Which object a `Status` is about and, for `Invalid`, each field that was wrong.
public struct StatusDetails: Codable, Sendable, Hashable {
    public var name: String?
    public var group: String?
    public var kind: String?
    public var uid: String?
    public var causes: [StatusCause]?

    public init(
        name: String? = nil, group: String? = nil, kind: String? = nil, uid: String? = nil,
        causes: [StatusCause]? = nil
    ) {
        self.name = name
        self.group = group
        self.kind = kind
        self.uid = uid
        self.causes = causes
    }
}

/// One reason an object was rejected: `FieldValueInvalid` on `spec.ports[0].port`.
public struct StatusCause: Codable, Sendable, Hashable {
    public var reason: String?
    public var message: String?
    public var field: String?

    public init(reason: String? = nil, message: String? = nil, field: String? = nil) {
        self.reason = reason
        self.message = message
        self.field = field
    }
}
