import ClusterModel

/// How an update describes the new object.
enum ObjectChange: Sendable {
    /// PUT: the whole new object.
    case replace(JSONValue)
    /// PATCH with a JSON merge patch (RFC 7386) applied to the stored object.
    case mergePatch(JSONValue)
}

extension JSONValue {
    /// RFC 7386 JSON merge patch: objects merge key by key, `null` removes a key, anything else
    /// (lists included) replaces the target.
    func merging(_ patch: JSONValue) -> JSONValue {
        guard case .object(let changes) = patch else { return patch }
        var result = objectValue ?? [:]
        for (key, value) in changes {
            if value == .null {
                result[key] = nil
            } else {
                result[key] = (result[key] ?? .null).merging(value)
            }
        }
        return .object(result)
    }
}
