import ClusterModel

/// An address range such as `10.96.0.0/16`: where cluster IPs come from.
public struct CIDR: Sendable, Hashable, CustomStringConvertible {
    /// The network address (host bits zero).
    public let network: IPAddress
    public let prefixLength: Int

    /// The Kubernetes default, `10.96.0.0/16`.
    public static let defaultServiceCIDR = CIDR(parsing: "10.96.0.0/16")!

    /// Parses `ADDRESS/PREFIX`; `nil` when either part is wrong or host bits are set.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPAddress(parts[0]), let prefix = Int(parts[1]) else {
            return nil
        }
        let bits = address.bytes.count * 8
        guard (0...(bits - 2)).contains(prefix) else {
            return nil
        }
        guard Self.masked(address.bytes, prefix) == address.bytes else { return nil }
        self.network = address
        self.prefixLength = prefix
    }

    public var description: String { "\(network)/\(prefixLength)" }

    /// Whether `address` lies inside the range (same family, same network bits).
    public func contains(_ address: IPAddress) -> Bool {
        address.isIPv4 == network.isIPv4 && Self.masked(address.bytes, prefixLength) == network.bytes
    }

    /// How many addresses can be handed out: all but the network address and, for IPv4, the
    /// broadcast address (as the API server reserves them). Capped so that it fits an Int64.
    public var usableCount: Int64 {
        let hostBits = network.bytes.count * 8 - prefixLength
        guard hostBits < 62 else { return Int64(1) << 62 }
        return (Int64(1) << hostBits) - (network.isIPv4 ? 2 : 1)
    }

    /// The `index`-th usable address (0 is the network address + 1).
    public func address(at index: Int64) -> IPAddress {
        var bytes = network.bytes
        var carry = UInt64(index + 1)
        var position = bytes.count - 1
        while carry > 0 && position >= 0 {
            let sum = UInt64(bytes[position]) + (carry & 0xFF)
            bytes[position] = UInt8(sum & 0xFF)
            carry = (carry >> 8) + (sum >> 8)
            position -= 1
        }
        return network.isIPv4 ? .v4(bytes) : .v6(bytes)
    }

    private static func masked(_ bytes: [UInt8], _ prefix: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let keep = min(max(prefix - index * 8, 0), 8)
            return keep == 0 ? 0 : byte & UInt8(truncatingIfNeeded: 0xFF << (8 - keep))
        }
    }
}
