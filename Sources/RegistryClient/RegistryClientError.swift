import ClusterModel

/// Why a registry call failed, with a message for the person at the terminal.
public enum RegistryClientError: Error, CustomStringConvertible, Sendable {
    /// Nothing answered at the server address.
    case unreachable(server: String, detail: String)
    /// The server refused the request; its `Status` says why.
    case status(Status)
    /// The server answered with something that is not what the API promises.
    case badResponse(String)

    public var description: String {
        switch self {
        case .unreachable(let server, let detail):
            return "cannot reach the registry at \(server) (\(detail)); is clusterdns running? (--server or DNSCTL_SERVER)"
        case .status(let status):
            return status.message ?? "the registry answered \(status.code) \(status.reason ?? "")"
        case .badResponse(let detail):
            return "unexpected answer from the registry: \(detail)"
        }
    }

    /// The HTTP code of a refusal (404, 409...), nil for other failures.
    public var code: Int? {
        if case .status(let status) = self { return status.code }
        return nil
    }
}
