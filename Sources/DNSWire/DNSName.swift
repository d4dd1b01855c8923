import CLDNS

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A domain name in canonical wire form: length-prefixed labels, ASCII lower-cased, ending in
/// the root label. Names compare and hash case-insensitively because they are stored lower-case.
public struct DNSName: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Canonical (lower-case) wire bytes, root label included.
    public let wire: [UInt8]

    public static let root = DNSName(uncheckedWire: [0])

    /// Parses presentation text (`a.b.c.`, trailing dot optional, `\.` and `\DDD` escapes) with
    /// ldns, which enforces the 63-octet label and 255-octet name limits.
    public init(_ text: String) throws(DNSWireError) {
        if text == "." || text.isEmpty {
            self = .root
            return
        }
        let absolute = text.hasSuffix(".") && !text.hasSuffix("\\.") ? text : text + "."
        guard let rdf = ldns_dname_new_frm_str(absolute) else {
            throw DNSWireError.invalidName(text)
        }
        defer { ldns_rdf_deep_free(rdf) }
        self.init(rdf: rdf)
    }

    /// Takes wire bytes that the caller has validated (labels <= 63, total <= 255, root-terminated).
    public init(uncheckedWire wire: [UInt8]) {
        self.wire = DNSName.lowercased(wire)
    }

    // The bytes in one go: the synthesized hash feeds the hasher one octet at a time, which a
    // snapshot of 100,000 services pays millions of times.
    public func hash(into hasher: inout Hasher) {
        wire.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    // memcmp rather than Array's element loop: a whole list's build compares names millions
    // of times as dictionary keys (5 % of its CPU in `perf`).
    public static func == (lhs: DNSName, rhs: DNSName) -> Bool {
        lhs.wire.count == rhs.wire.count && compare(lhs, rhs) == 0
    }

    init(rdf: UnsafePointer<ldns_rdf>) {
        let size = ldns_rdf_size(rdf)
        let data = ldns_rdf_data(rdf)
        self.init(uncheckedWire: Array(UnsafeBufferPointer(start: data, count: size)))
    }

    /// Builds `label.parent`. Throws when the label is empty, over 63 octets, or the name over 255.
    /// One allocation, lower-cased as it is copied: a whole list's build makes every name of
    /// the registry this way.
    public init(label: String, parent: DNSName) throws(DNSWireError) {
        let count = label.utf8.count
        guard count > 0, count <= 63, count + 1 + parent.wire.count <= 255 else {
            throw DNSWireError.invalidName("\(label).\(parent)")
        }
        var wire: [UInt8] = []
        wire.reserveCapacity(1 + count + parent.wire.count)
        wire.append(UInt8(count))
        for byte in label.utf8 { wire.append(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) }
        wire += parent.wire
        self.init(canonicalWire: wire)
    }

    /// `label.self`: see ``init(label:parent:)``.
    public func prepending(_ label: String) throws(DNSWireError) -> DNSName {
        try DNSName(label: label, parent: self)
    }

    public var labelCount: Int {
        var count = 0
        var index = 0
        while wire[index] != 0 {
            count += 1
            index += Int(wire[index]) + 1
        }
        return count
    }

    /// The labels, leftmost first, as raw bytes.
    public var labels: [ArraySlice<UInt8>] {
        var result: [ArraySlice<UInt8>] = []
        var index = 0
        while wire[index] != 0 {
            let length = Int(wire[index])
            result.append(wire[(index + 1)..<(index + 1 + length)])
            index += length + 1
        }
        return result
    }

    /// The name without its leftmost label; `nil` for the root.
    public var parent: DNSName? {
        guard wire[0] != 0 else { return nil }
        return DNSName(canonicalWire: Array(wire[(Int(wire[0]) + 1)...]))
    }

    /// True when `self` equals `other` or lies below it.
    public func isSubdomain(of other: DNSName) -> Bool {
        suffixOffset(of: other) != nil
    }

    /// True when `self` lies exactly one label below `parent`: `parent` without an allocation.
    public func isChild(of parent: DNSName) -> Bool {
        let offset = Int(wire[0]) + 1
        return wire[0] != 0 && wire.count - offset == parent.wire.count && ends(with: parent, at: offset)
    }

    /// Where `other` starts in this name's wire form, when `self` equals it or lies below it.
    public func suffixOffset(of other: DNSName) -> Int? {
        let offset = wire.count - other.wire.count
        guard offset >= 0, ends(with: other, at: offset) else { return nil }
        // The suffix must start on a label boundary.
        var index = 0
        while index < offset { index += Int(wire[index]) + 1 }
        return index == offset ? offset : nil
    }

    /// The rightmost label before the root; nil for the root.
    public var lastLabel: ArraySlice<UInt8>? {
        var index = 0
        var last: ArraySlice<UInt8>?
        while wire[index] != 0 {
            let end = index + 1 + Int(wire[index])
            last = wire[(index + 1)..<end]
            index = end
        }
        return last
    }

    public var description: String {
        if wire == [0] { return "." }
        var text = ""
        for label in labels {
            for byte in label {
                switch byte {
                case UInt8(ascii: "."), UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: ";"),
                    UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "@"), UInt8(ascii: "$"):
                    text += "\\" + String(UnicodeScalar(byte))
                case 0x21...0x7E:
                    text += String(UnicodeScalar(byte))
                default:
                    let digits = String(byte)
                    text += "\\" + String(repeating: "0", count: 3 - digits.count) + digits
                }
            }
            text += "."
        }
        return text
    }

    /// Canonical DNS order (RFC 4034 section 6.1) is not needed here; byte order keeps sorting
    /// deterministic.
    public static func < (lhs: DNSName, rhs: DNSName) -> Bool {
        let order = compare(lhs, rhs)
        return order < 0 || (order == 0 && lhs.wire.count < rhs.wire.count)
    }

    /// Whether the bytes from `offset` on are `other`'s (the caller has checked the lengths).
    private func ends(with other: DNSName, at offset: Int) -> Bool {
        wire.withUnsafeBytes { bytes in
            other.wire.withUnsafeBytes { other in
                memcmp(bytes.baseAddress! + offset, other.baseAddress!, other.count) == 0
            }
        }
    }

    /// memcmp of the bytes both names have (unsigned, as byte order wants).
    private static func compare(_ lhs: DNSName, _ rhs: DNSName) -> Int32 {
        lhs.wire.withUnsafeBytes { left in
            rhs.wire.withUnsafeBytes { right in
                guard let left = left.baseAddress, let right = right.baseAddress else { return 0 }
                return memcmp(left, right, min(lhs.wire.count, rhs.wire.count))
            }
        }
    }

    private init(canonicalWire: [UInt8]) {
        self.wire = canonicalWire
    }

    static func lowercased(_ wire: [UInt8]) -> [UInt8] {
        var result = wire
        var index = 0
        while index < result.count, result[index] != 0 {
            let length = Int(result[index])
            var position = index + 1
            while position <= index + length, position < result.count {
                let byte = result[position]
                if byte >= 0x41 && byte <= 0x5A { result[position] = byte | 0x20 }
                position += 1
            }
            index += length + 1
        }
        return result
    }
}
