import DNSWire

/// Reverse-mapping names (RFC 1035 `in-addr.arpa`, RFC 3596 `ip6.arpa`).
enum ReverseName {
    static let ipv4Zone = try! DNSName("in-addr.arpa.")
    static let ipv6Zone = try! DNSName("ip6.arpa.")

    /// The name above `address`'s reverse name (which the ``ReverseTable`` answers): its first
    /// label, the last octet or nibble, left out.
    static func parent(for address: IPAddressBytes) -> DNSName {
        var wire: [UInt8] = []
        if address.count == 4 {
            for byte in address.reversed().dropFirst() {
                let digits = Array(String(byte).utf8)
                wire.append(UInt8(digits.count))
                wire += digits
            }
            return DNSName(uncheckedWire: wire + ipv4Zone.wire)
        }
        let hex = Array("0123456789abcdef".utf8)
        for byte in address.reversed() {
            wire += [1, hex[Int(byte & 0xF)], 1, hex[Int(byte >> 4)]]
        }
        return DNSName(uncheckedWire: Array(wire.dropFirst(2)) + ipv6Zone.wire)
    }
}
