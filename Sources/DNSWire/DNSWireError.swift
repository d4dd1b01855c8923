/// Errors of the wire layer, each with a message a person can act on.
public enum DNSWireError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidName(String)
    case invalidRecord(String)
    case encodingFailed(String)
    case zoneFile(file: String, line: Int, message: String)

    public var description: String {
        switch self {
        case .invalidName(let name): return "invalid domain name '\(name)'"
        case .invalidRecord(let text): return "invalid record: \(text)"
        case .encodingFailed(let what): return "ldns could not encode \(what)"
        case .zoneFile(let file, let line, let message): return "\(file):\(line): \(message)"
        }
    }
}
