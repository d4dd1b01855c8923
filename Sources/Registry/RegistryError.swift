import ClusterModel

/// Everything the registry refuses, as a type. `status` is the one place where an error becomes
/// the Kubernetes `Status` (and HTTP code) a client sees.
enum RegistryError: Error, Sendable {
    case notFound(KubeResource, name: String)
    case alreadyExists(KubeResource, name: String)
    case invalid(KubeResource, name: String, [FieldError])
    case conflict(KubeResource, name: String)
    /// A watch or list from a resourceVersion older than the kept history.
    case expired(requested: Int64, oldest: Int64)
    /// A list's next page was asked for after an object of its kind changed.
    case continueExpired
    case badRequest(String)
    case unauthorized
    case bodyTooLarge(limit: Int)
    case tooManyWatchers(limit: Int)
    case methodNotAllowed(method: String, path: String)
    case unsupportedMediaType(String)
    case noSuchPath(String)
    /// Something inside the registry failed (the disk, SQLite): not the client's fault.
    case storage(String)
}

extension RegistryError {
    /// The `Status` object sent to the client.
    var status: Status {
        switch self {
        case .notFound(let resource, let name):
            return Status(
                message: "\(resource.rawValue) \"\(name)\" not found", reason: "NotFound", code: 404,
                details: details(resource, name))
        case .alreadyExists(let resource, let name):
            return Status(
                message: "\(resource.rawValue) \"\(name)\" already exists", reason: "AlreadyExists",
                code: 409, details: details(resource, name))
        case .invalid(let resource, let name, let errors):
            let list = errors.map(\.message)
            let joined = list.count == 1 ? list[0] : "[\(list.joined(separator: ", "))]"
            var info = details(resource, name)
            info.causes = errors.map { StatusCause(reason: $0.kind.rawValue, message: $0.detail, field: $0.field) }
            return Status(
                message: "\(resource.kind) \"\(name)\" is invalid: \(joined)", reason: "Invalid", code: 422,
                details: info)
        case .conflict(let resource, let name):
            return Status(
                message: "Operation cannot be fulfilled on \(resource.rawValue) \"\(name)\": the object has been "
                    + "modified; please apply your changes to the latest version and try again",
                reason: "Conflict", code: 409, details: details(resource, name))
        case .expired(let requested, let oldest):
            // Kubernetes says `Expired` here; clients look at the 410 and re-list.
            return Status(
                message: "too old resource version: \(requested) (\(oldest))", reason: "Expired", code: 410)
        case .continueExpired:
            // Kubernetes' words: clients (client-go's pager) list again from the start on it.
            return Status(
                message: "The provided continue parameter is too old to display a consistent list result. "
                    + "You can start a new list without the continue parameter.", reason: "Expired", code: 410)
        case .badRequest(let message):
            return Status(message: message, reason: "BadRequest", code: 400)
        case .unauthorized:
            return Status(
                message: "Unauthorized: this registry needs \"Authorization: Bearer <token>\" for writes "
                    + "(dnsctl: --token or DNSCTL_TOKEN)", reason: "Unauthorized", code: 401)
        case .bodyTooLarge(let limit):
            return Status(
                message: "the request body is larger than the limit of \(limit) bytes",
                reason: "RequestEntityTooLarge", code: 413)
        case .tooManyWatchers(let limit):
            return Status(
                message: "too many watches open (limit \(limit)); close some or retry later",
                reason: "TooManyRequests", code: 429)
        case .methodNotAllowed(let method, let path):
            return Status(
                message: "the server does not allow the method \(method) on \(path)", reason: "MethodNotAllowed",
                code: 405)
        case .unsupportedMediaType(let type):
            return Status(
                message: "the patch type \"\(type)\" is not supported; use application/merge-patch+json",
                reason: "UnsupportedMediaType", code: 415)
        case .noSuchPath(let path):
            return Status(
                message: "the server could not find the requested resource (\(path))", reason: "NotFound", code: 404)
        case .storage(let message):
            return Status(message: "registry storage failed: \(message)", reason: "InternalError", code: 500)
        }
    }

    private func details(_ resource: KubeResource, _ name: String) -> StatusDetails {
        StatusDetails(name: name, group: resource.group.isEmpty ? nil : resource.group, kind: resource.rawValue)
    }

    /// Any error thrown while serving a request, as the registry error it stands for.
    static func from(_ error: any Error) -> RegistryError {
        if let error = error as? RegistryError { return error }
        return .storage("\(error)")
    }
}
