/// Walks an encoded message: where each record of each section starts. Used when answers are
/// compiled (to find where truncation may cut), never per query.
public struct MessageLayout: Sendable, Equatable {
    /// Offset just past the question.
    public var questionEnd: Int
    /// Start offset of every record, in order; `sectionOf[i]` tells its section (1, 2 or 3).
    public var recordStarts: [Int]
    public var sectionOf: [UInt8]
    public var end: Int

    /// Parses the layout of a well-formed message with exactly one question.
    public init(message: [UInt8]) throws(DNSWireError) {
        func fail() -> DNSWireError { .invalidRecord("malformed message of \(message.count) bytes") }
        guard message.count >= 12 else { throw fail() }
        let counts = (1...3).map { Int(message[4 + 2 * $0]) << 8 | Int(message[5 + 2 * $0]) }
        var offset = 12
        guard let nameEnd = WireName.skip(message, from: offset) else { throw fail() }
        offset = nameEnd + 4
        questionEnd = offset
        recordStarts = []
        sectionOf = []
        for (section, count) in counts.enumerated() {
            for _ in 0..<count {
                recordStarts.append(offset)
                sectionOf.append(UInt8(section + 1))
                guard let ownerEnd = WireName.skip(message, from: offset), ownerEnd + 10 <= message.count else {
                    throw fail()
                }
                let rdLength = Int(message[ownerEnd + 8]) << 8 | Int(message[ownerEnd + 9])
                offset = ownerEnd + 10 + rdLength
                guard offset <= message.count else { throw fail() }
            }
        }
        end = offset
    }
}

public enum WireName {
    /// The offset just past a (possibly compressed) name starting at `offset`; `nil` if it runs
    /// past the end or uses a reserved label type.
    public static func skip(_ bytes: [UInt8], from offset: Int) -> Int? {
        var index = offset
        while index < bytes.count {
            let length = bytes[index]
            if length == 0 { return index + 1 }
            switch length & 0xC0 {
            case 0xC0: return index + 2 <= bytes.count ? index + 2 : nil
            case 0x00: index += Int(length) + 1
            default: return nil
            }
        }
        return nil
    }
}
