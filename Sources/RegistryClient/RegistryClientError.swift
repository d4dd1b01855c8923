import ClusterModel

/// Why a registry call failed, with a message for the person at the terminal.
public enum RegistryClientError: Error, CustomStringConvertible, Sendable {
    /// Nothing answered at the server address.
    case unreachable(server: String, detail: String)
    /// The connection broke in the middle of a watch.
    case disconnected(server: String, detail: String)
    /// The server refused the request; its `Status` says why.
    case status(Status)
    /// The server answered with something that is not what the API promises.
    case badResponse(String)
    /// The request cannot be made as asked (a malformed IP, an endpoint that is not there).
    case invalidRequest(String)

    public var description: String {
        switch self {
        case .unreachable(let server, let detail):
            return "cannot reach the registry at \(server) (\(detail)); is clusterdns running? (--server or DNSCTL_SERVER)"
        case .disconnected(let server, let detail):
            return "the registry at \(server) closed the watch (\(detail))"
        case .status(let status):
            return status.message ?? "the registry answered \(status.code) \(status.reason ?? "")"
        case .badResponse(let detail):
            return "unexpected answer from the registry: \(detail)"
        case .invalidRequest(let detail):
            return detail
        }
    }

    /// The HTTP code of a refusal (404, 409...), nil for other failures.
    public var code: Int? {
        if case .status(let status) = self { return status.code }
        return nil
    }
}
