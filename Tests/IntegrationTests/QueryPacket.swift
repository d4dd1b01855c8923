/// Hand-made DNS messages for the packets dig refuses to send (QR=1, two questions). Written
/// byte by byte on purpose: the tests must not trust the wire code they are testing.
enum QueryPacket {
    /// A header (`id`, `flags`, `qdcount`, other counts 0) followed by `questions` copies of
    /// the question `name` `type` IN.
    static func make(
        id: UInt16 = 0x1234, flags: UInt16 = 0x0100, qdcount: UInt16 = 1, questions: Int = 1,
        name: String = "product-service.ecommerce.svc.cluster.local", type: UInt16 = 1
    ) -> [UInt8] {
        var packet = be(id) + be(flags) + be(qdcount) + be(0) + be(0) + be(0)
        for _ in 0..<questions {
            for label in name.split(separator: ".") {
                packet.append(UInt8(label.utf8.count))
                packet += Array(label.utf8)
            }
            packet += [0] + be(type) + be(1)
        }
        return packet
    }

    private static func be(_ value: UInt16) -> [UInt8] {
        [UInt8(value >> 8), UInt8(value & 0xFF)]
    }
}

/// The header fields of a reply the garbage tests check.
struct ReplyHeader: Equatable, CustomStringConvertible {
    var id: UInt16
    var isResponse: Bool
    var rcode: UInt8

    init?(_ bytes: [UInt8]) {
        guard bytes.count >= 12 else { return nil }
        id = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
        isResponse = bytes[2] & 0x80 != 0
        rcode = bytes[3] & 0x0F
    }

    init(id: UInt16, isResponse: Bool, rcode: UInt8) {
        self.id = id
        self.isResponse = isResponse
        self.rcode = rcode
    }

    var description: String { "id=\(id) qr=\(isResponse) rcode=\(rcode)" }
}
