import ClusterZone
import Glibc
import NIOCore

extension ClientAddress {
    /// The address bits of a datagram's sender, for autopath's pod lookup; nil for another
    /// family. A switch and a copy, no allocation: it runs for every datagram.
    @inline(__always)
    static func of(_ storage: UnsafePointer<sockaddr_storage>) -> ClientAddress? {
        of(sockaddr: UnsafeRawPointer(storage))
    }

    /// The address bits of a connection's peer; nil for a Unix socket.
    static func of(_ address: SocketAddress) -> ClientAddress? {
        address.withSockAddr { pointer, _ in of(sockaddr: UnsafeRawPointer(pointer)) }
    }

    /// From a `sockaddr` of any family: only its family field (first, on Linux) is read before
    /// the family says how long the rest is.
    @inline(__always)
    private static func of(sockaddr: UnsafeRawPointer) -> ClientAddress? {
        switch Int32(sockaddr.load(as: sa_family_t.self)) {
        case AF_INET:
            return ClientAddress(ipv4: sockaddr.load(as: sockaddr_in.self).sin_addr.s_addr)
        case AF_INET6:
            var bytes = sockaddr.load(as: sockaddr_in6.self).sin6_addr
            return withUnsafeBytes(of: &bytes) { ClientAddress(ipv6: $0.loadUnaligned(as: (UInt64, UInt64).self)) }
        default:
            return nil
        }
    }
}
