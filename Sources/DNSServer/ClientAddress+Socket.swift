import ClusterZone
import NIOCore

extension ClientAddress {
    /// The address bits of a peer, for autopath's pod lookup; nil for a Unix socket. A switch
    /// and a copy, no allocation: it runs for every datagram.
    @inline(__always)
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
