import ClusterZone
import Glibc
import NIOCore

extension ClientAddress {
    /// The address bits of a datagram's sender, for autopath's pod lookup; nil for another
    /// family. A switch and a copy, no allocation: it runs for every datagram.
    @inline(__always)
    static func of(_ storage: UnsafePointer<sockaddr_storage>) -> ClientAddress? {
        switch Int32(storage.pointee.ss_family) {
        case AF_INET:
            return storage.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                ClientAddress(ipv4: $0.pointee.sin_addr.s_addr)
            }
        case AF_INET6:
            return UnsafeRawPointer(storage).withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                var bytes = $0.pointee.sin6_addr
                return withUnsafeBytes(of: &bytes) { ClientAddress(ipv6: $0.loadUnaligned(as: (UInt64, UInt64).self)) }
            }
        default:
            return nil
        }
    }

    /// The address bits of a connection's peer; nil for a Unix socket.
    static func of(_ address: SocketAddress) -> ClientAddress? {
        switch address {
        case .v4(let v4):
            return ClientAddress(ipv4: v4.address.sin_addr.s_addr)
        case .v6(let v6):
            var bytes = v6.address.sin6_addr
            return withUnsafeBytes(of: &bytes) { ClientAddress(ipv6: $0.loadUnaligned(as: (UInt64, UInt64).self)) }
        case .unixDomainSocket:
            return nil
        }
    }
}
