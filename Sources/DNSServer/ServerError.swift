import ClusterModel
/// Start-up failures, worded for the person who typed the command.
public enum ServerError: Error, CustomStringConvertible {
    case bind(flag: String, address: HostPort, reason: String)
    case configuration(String)

    public var description: String {
        switch self {
        case .bind(let flag, let address, let reason):
            return "cannot listen on \(flag) \(address): \(reason)"
        case .configuration(let message):
            return message
        }
    }
}
