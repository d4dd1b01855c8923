#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address in network byte order, parsed strictly with `inet_pton`.
public enum IPAddress: Sendable, Hashable, CustomStringConvertible {
    case v4([UInt8])
    case v6([UInt8])

    /// Parses a textual address; `nil` for anything that is not exactly one IPv4 or IPv6 address.
    public init?(_ text: some StringProtocol) {
        var v4 = in_addr()
        var v6 = in6_addr()
        let string = String(text)
        if inet_pton(AF_INET, string, &v4) == 1 {
            self = .v4(withUnsafeBytes(of: &v4) { Array($0) })
        } else if inet_pton(AF_INET6, string, &v6) == 1 {
            self = .v6(withUnsafeBytes(of: &v6) { Array($0) })
        } else {
            return nil
        }
    }

    public var bytes: [UInt8] {
        switch self {
        case .v4(let bytes), .v6(let bytes): return bytes
        }
    }

    public var isIPv4: Bool {
        if case .v4 = self { return true }
        return false
    }

    /// Canonical text (`inet_ntop`): `fd00::1`, `10.0.0.1`.
    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = isIPv4 ? AF_INET : AF_INET6
        _ = bytes.withUnsafeBytes { raw in
            inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count))
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The CoreDNS/Kubernetes dashed form used as a host label: `10-244-3-13`, `fd00--1`.
    /// Octet by octet, not character by character: a whole list's build makes one per endpoint.
    /// Dots go too in an IPv6 address: `inet_ntop` writes an IPv4-mapped one as
    /// `::ffff:10.244.1.8`, and a label must not hold a dot (`--ffff-10-244-1-8`).
    public var dashed: String {
        let dash = UInt8(ascii: "-")
        return String(
            decoding: description.utf8.map { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: ":") ? dash : $0 }, as: UTF8.self)
    }
}
