/// What the counters and the query log read back from a response the server wrote: its
/// rcode, flags and question. Responses echo the question uncompressed right after the header.
enum ResponseFields {
    /// The rcode of the header (4 bits; extended rcodes are not used by this server).
    @inline(__always)
    static func rcode(_ response: UnsafeRawBufferPointer) -> Int {
        response.count >= 4 ? Int(response[3] & 0x0F) : 0
    }

    /// The QTYPE of the first question, or 0 when there is none (FORMERR of a bad packet).
    @inline(__always)
    static func questionType(_ response: UnsafeRawBufferPointer) -> UInt16 {
        guard let end = nameEnd(response) else { return 0 }
        return UInt16(response[end]) << 8 | UInt16(response[end + 1])
    }

    /// The offset just past the question's name, when the question is complete.
    @inline(__always)
    static func nameEnd(_ response: UnsafeRawBufferPointer) -> Int? {
        guard response.count > 12, response[4] != 0 || response[5] != 0 else { return nil }
        var offset = 12
        while offset < response.count {
            let length = Int(response[offset])
            if length == 0 { break }
            // A pointer or a reserved label type: not a question we wrote, give up.
            if length & 0xC0 != 0 { return nil }
            offset += length + 1
        }
        offset += 1
        return offset + 4 <= response.count ? offset : nil
    }

    /// The question's name as text, `example.com.`; "." for the root, "-" for none.
    static func name(_ response: UnsafeRawBufferPointer) -> String {
        guard nameEnd(response) != nil else { return "-" }
        var text = ""
        var offset = 12
        while true {
            let length = Int(response[offset])
            if length == 0 { break }
            for byte in response[(offset + 1)..<(offset + 1 + length)] {
                // Dots and odd bytes inside a label are escaped as in zone files.
                if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "\\") {
                    text += "\\" + String(UnicodeScalar(byte))
                } else if byte > 0x20 && byte < 0x7F {
                    text.unicodeScalars.append(UnicodeScalar(byte))
                } else {
                    text += "\\" + threeDigits(Int(byte))
                }
            }
            text += "."
            offset += length + 1
        }
        return text.isEmpty ? "." : text
    }

    /// The header flags set, as `qr,aa,tc,rd,ra,ad,cd` (only those present).
    static func flags(_ response: UnsafeRawBufferPointer) -> String {
        guard response.count >= 4 else { return "-" }
        let bits = UInt16(response[2]) << 8 | UInt16(response[3])
        let names: [(UInt16, String)] = [
            (0x8000, "qr"), (0x0400, "aa"), (0x0200, "tc"), (0x0100, "rd"), (0x0080, "ra"), (0x0020, "ad"),
            (0x0010, "cd"),
        ]
        let set = names.filter { bits & $0.0 != 0 }.map(\.1)
        return set.isEmpty ? "-" : set.joined(separator: ",")
    }

    /// Three decimal digits, as zone files escape a byte (`\007`).
    private static func threeDigits(_ value: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, 3 - digits.count)) + digits
    }
}
