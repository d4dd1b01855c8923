import ClusterModel

/// The source address of a query, as plain bits: what autopath looks up to learn the client's
/// namespace. Hashable without allocating, built from a socket address per packet.
public struct ClientAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address bytes in network order: IPv4 in the first 4 bytes of `high`, IPv6 in all 16.
    public var high: UInt64
    public var low: UInt64
    public var isIPv4: Bool

    /// An IPv4 address as `in_addr.s_addr` holds it (network byte order in memory).
    public init(ipv4 storedBits: UInt32) {
        self.init(high: UInt64(storedBits), low: 0, isIPv4: true)
    }

    init(high: UInt64, low: UInt64, isIPv4: Bool) {
        self.high = high
        self.low = low
        self.isIPv4 = isIPv4
    }

    /// An IPv6 address from `in6_addr`'s 16 bytes. IPv4-mapped addresses (`::ffff:a.b.c.d`,
    /// what a dual-stack socket reports for an IPv4 client) count as IPv4.
    public init(ipv6 bytes: (UInt64, UInt64)) {
        var pair = bytes
        let mapped = withUnsafeBytes(of: &pair) { raw -> UInt32? in
            guard raw[0..<10].allSatisfy({ $0 == 0 }), raw[10] == 0xFF, raw[11] == 0xFF else { return nil }
            return raw.loadUnaligned(fromByteOffset: 12, as: UInt32.self)
        }
        if let mapped {
            self.init(ipv4: mapped)
            return
        }
        self.init(high: bytes.0, low: bytes.1, isIPv4: false)
    }

    /// Canonical text (`10.0.0.1`, `fd00::1`), for messages.
    public var description: String {
        var pair = (high, low)
        let bytes = withUnsafeBytes(of: &pair) { Array($0.prefix(isIPv4 ? 4 : 16)) }
        return (isIPv4 ? IPAddress.v4(bytes) : IPAddress.v6(bytes)).description
    }

    /// From the 4 or 16 bytes of an A or AAAA record; nil for any other length.
    public init?(bytes: [UInt8]) {
        guard let exact = ClientAddress(exactly: bytes) else { return nil }
        self = exact.isIPv4 ? exact : ClientAddress(ipv6: (exact.high, exact.low))
    }

    /// The same without folding IPv4-mapped addresses into IPv4: an address's own reverse
    /// name (``ReverseTable``), where `::ffff:a.b.c.d` is not `a.b.c.d`.
    init?(exactly bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        var pair: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &pair) { $0.copyBytes(from: bytes) }
        self.init(high: pair.0, low: pair.1, isIPv4: bytes.count == 4)
    }
}
