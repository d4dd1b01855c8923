import Foundation

/// Which of an object's kept keys were read already: `JSONDecoder` keeps the first of two
/// equal keys, so a reader takes a key's value only where ``first(_:)`` says so (one bit per
/// key the reader names, up to 32).
public struct SeenKeys {
    private var bits: UInt32 = 0

    public init() {}

    /// True the first time `bit` is asked for.
    public mutating func first(_ bit: UInt32) -> Bool {
        defer { bits |= 1 << bit }
        return bits & (1 << bit) == 0
    }

    public func has(_ bit: UInt32) -> Bool { bits & (1 << bit) != 0 }
}

/// Reads JSON text in one pass, the caller pulling the values it wants and skipping the rest.
/// A list of 100,000 objects decoded through `JSONDecoder` spent 29 % of a cold start's CPU
/// in its containers (a key dictionary per object, generic metadata lookups; `perf`), not in
/// scanning: the kept fields of an object are a few strings, read here straight from the bytes.
///
/// It reads what Foundation's `JSONDecoder` reads, with the same results where that succeeds:
/// the first of two equal keys counts, a trailing comma is let through, a number kept as `Int`
/// may be written `80.0` or `1e2`, nesting stops at 512 levels. What it skips is checked as
/// loosely as `JSONDecoder` checks it: brackets, commas and quotes, not a skipped string's
/// escapes or control characters, nor a skipped number's form beyond its characters.
public struct JSONReader: ~Copyable {
    private let bytes: UnsafeRawBufferPointer
    private var at = 0
    private var depth = 0

    static let depthLimit = 512

    public struct Failure: Error, CustomStringConvertible {
        public let offset: Int
        public let message: String
        public var description: String { "invalid JSON at byte \(offset): \(message)" }
    }

    /// A key of the object being read: its bytes, escapes resolved. Valid during the call only.
    public struct Key {
        fileprivate let raw: UnsafeRawBufferPointer

        public static func ~= (pattern: StaticString, key: Key) -> Bool {
            pattern.utf8CodeUnitCount == key.raw.count
                && (key.raw.isEmpty || memcmp(pattern.utf8Start, key.raw.baseAddress!, key.raw.count) == 0)
        }

        public static func == (key: Key, string: String) -> Bool {
            var string = string
            return string.withUTF8 { key.raw.elementsEqual(UnsafeRawBufferPointer($0)) }
        }
    }

    private init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// Reads `data` as one JSON value with `body`, which must read or skip all of it.
    public static func read<T>(_ data: Data, _ body: (inout JSONReader) throws -> T) throws -> T {
        try data.withUnsafeBytes { raw in
            var reader = JSONReader(raw)
            // A byte-order mark, which JSONDecoder lets through.
            if raw.count >= 3, raw[0] == 0xEF, raw[1] == 0xBB, raw[2] == 0xBF { reader.at = 3 }
            let value = try body(&reader)
            reader.skipSpace()
            guard reader.at == raw.count else { throw reader.failure("more text after the value") }
            return value
        }
    }

    // MARK: values

    /// Takes a `null` if one is next.
    public mutating func null() -> Bool {
        skipSpace()
        guard literal("null") else { return false }
        return true
    }

    public mutating func nullableString() throws(Failure) -> String? { null() ? nil : try string() }
    public mutating func nullableInt() throws(Failure) -> Int? { null() ? nil : try int() }
    public mutating func nullableBool() throws(Failure) -> Bool? { null() ? nil : try bool() }

    public mutating func string() throws(Failure) -> String {
        skipSpace()
        guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { throw failure("a string expected") }
        return try readString()
    }

    /// An integer, also where it is written with a fraction or an exponent that leave a whole
    /// number (`80.0`, `1e2`), as JSONDecoder reads one.
    public mutating func int() throws(Failure) -> Int {
        skipSpace()
        let start = at
        guard let (valid, integer) = scanNumber() else { throw failure("a number expected") }
        let text = UnsafeRawBufferPointer(rebasing: bytes[start..<at])
        if integer {
            var value = 0
            let negative = text[0] == UInt8(ascii: "-")
            for byte in text.dropFirst(negative ? 1 : 0) {
                let digit = Int(byte - UInt8(ascii: "0"))
                let (times, over1) = value.multipliedReportingOverflow(by: 10)
                let (next, over2) = negative ? times.subtractingReportingOverflow(digit) : times.addingReportingOverflow(digit)
                guard !over1, !over2 else { throw failure("\(String(decoding: text, as: UTF8.self)) does not fit in Int", at: start) }
                value = next
            }
            return value
        }
        guard valid, let double = Double(String(decoding: text, as: UTF8.self)), double.rounded() == double,
            let value = Int(exactly: double)
        else { throw failure("\(String(decoding: text, as: UTF8.self)) is not an integer that fits in Int", at: start) }
        return value
    }

    public mutating func bool() throws(Failure) -> Bool {
        skipSpace()
        if literal("true") { return true }
        if literal("false") { return false }
        throw failure("true or false expected")
    }

    /// Reads an object, calling `field` for each key with the reader at its value, which
    /// `field` must read or ``skip()``. Every key is checked as a string read is, as
    /// JSONDecoder checks the keys of an object it reads.
    public mutating func object(_ field: (inout JSONReader, Key) throws -> Void) throws {
        try members(readingKeys: true, field)
    }

    private mutating func members(readingKeys: Bool, _ field: (inout JSONReader, Key) throws -> Void) throws {
        try open(UInt8(ascii: "{"), "an object expected")
        var first = true
        while try next(before: UInt8(ascii: "}"), first: &first) {
            guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { throw failure("a key expected") }
            guard readingKeys else {
                _ = try scanString(strict: false)
                try colon()
                try field(&self, Key(raw: UnsafeRawBufferPointer(start: nil, count: 0)))
                continue
            }
            let keyStart = at
            let (plain, ascii) = try scanString(strict: true)
            let key = UnsafeRawBufferPointer(rebasing: bytes[(keyStart + 1)..<(at - 1)])
            try colon()
            if plain && ascii {
                try field(&self, Key(raw: key))
            } else {
                var text = try text(key, plain: plain, from: keyStart + 1)
                try text.withUTF8 { try field(&self, Key(raw: UnsafeRawBufferPointer($0))) }
            }
        }
    }

    /// Past the comma before the next member of the object or array being read; false, past
    /// `closing`, when that ends it instead, also after a trailing comma (JSONDecoder lets
    /// one through).
    private mutating func next(before closing: UInt8, first: inout Bool) throws(Failure) -> Bool {
        skipSpace()
        if !first, at < bytes.count, bytes[at] == UInt8(ascii: ",") {
            at += 1
            skipSpace()
        } else if !first, at < bytes.count, bytes[at] != closing {
            throw failure("a comma or \(Character(Unicode.Scalar(closing))) expected")
        }
        guard at < bytes.count else { throw failure("an unterminated \(closing == UInt8(ascii: "}") ? "object" : "array")") }
        first = false
        guard bytes[at] == closing else { return true }
        at += 1
        depth -= 1
        return false
    }

    private mutating func colon() throws(Failure) {
        skipSpace()
        guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else { throw failure("a colon expected") }
        at += 1
    }

    /// Reads an array, calling `element` with the reader at each element, which it must read.
    public mutating func array(_ element: (inout JSONReader) throws -> Void) throws {
        try open(UInt8(ascii: "["), "an array expected")
        var first = true
        while try next(before: UInt8(ascii: "]"), first: &first) {
            try element(&self)
        }
    }

    /// A list of strings.
    public mutating func strings() throws -> [String] {
        var strings: [String] = []
        try array { strings.append(try $0.string()) }
        return strings
    }

    /// Passes over one value of any kind.
    public mutating func skip() throws {
        skipSpace()
        guard at < bytes.count else { throw failure("a value expected") }
        switch bytes[at] {
        // The keys of an object skipped are not checked as strings, as JSONDecoder does not.
        case UInt8(ascii: "{"): try members(readingKeys: false) { reader, _ in try reader.skip() }
        case UInt8(ascii: "["): try array { try $0.skip() }
        case UInt8(ascii: "\""): _ = try scanString(strict: false)
        case UInt8(ascii: "t"), UInt8(ascii: "f"): _ = try bool()
        case UInt8(ascii: "n"): guard null() else { throw failure("a value expected") }
        default:
            // Numbers are checked when read, not when skipped, as JSONDecoder does: only
            // their characters here.
            guard bytes[at] == UInt8(ascii: "-") || Self.isDigit(bytes[at]) else { throw failure("a value expected") }
            while at < bytes.count, Self.isNumberCharacter(bytes[at]) { at += 1 }
        }
    }

    // MARK: scanning

    private mutating func open(_ bracket: UInt8, _ expected: String) throws(Failure) {
        skipSpace()
        guard at < bytes.count, bytes[at] == bracket else { throw failure(expected) }
        guard depth < Self.depthLimit else { throw failure("nested more than \(Self.depthLimit) levels deep") }
        at += 1
        depth += 1
    }

    /// The string at the reader, its escapes resolved and its UTF-8 checked.
    private mutating func readString() throws(Failure) -> String {
        let start = at + 1
        let (plain, ascii) = try scanString(strict: true)
        let body = UnsafeRawBufferPointer(rebasing: bytes[start..<(at - 1)])
        // ASCII is UTF-8 as it is: no second pass over it.
        if plain && ascii { return String(decoding: body, as: UTF8.self) }
        return try text(body, plain: plain, from: start)
    }

    private func text(_ body: UnsafeRawBufferPointer, plain: Bool, from start: Int) throws(Failure) -> String {
        guard plain else { return try unescape(body, from: start) }
        guard let text = String(validating: body, as: UTF8.self) else { throw failure("invalid UTF-8", at: start) }
        return text
    }

    /// Passes over the string at the reader: whether it has no escapes, and no byte beyond
    /// ASCII. Strict, a control character in it is refused, as in a string JSONDecoder reads;
    /// otherwise only a `\u` cut short by a quote is, as in one it skips.
    private mutating func scanString(strict: Bool) throws(Failure) -> (plain: Bool, ascii: Bool) {
        let start = at
        at += 1
        var plain = true
        var high: UInt8 = 0
        while at < bytes.count {
            let byte = bytes[at]
            if byte == UInt8(ascii: "\"") {
                at += 1
                return (plain, high < 0x80)
            }
            if byte == UInt8(ascii: "\\") {
                plain = false
                // Skipped, a `\u` takes the next four bytes whatever they are but a quote, as
                // JSONDecoder's scanner takes them.
                if !strict, at + 1 < bytes.count, bytes[at + 1] == UInt8(ascii: "u") {
                    guard at + 6 <= bytes.count, !bytes[(at + 2)..<(at + 6)].contains(UInt8(ascii: "\"")) else {
                        throw failure("a short \\u escape")
                    }
                    at += 6
                    continue
                }
                at += 2
                continue
            }
            guard !strict || byte >= 0x20 else { throw failure("a control character in a string") }
            high |= byte
            at += 1
        }
        throw failure("an unterminated string", at: start)
    }

    /// The number at the reader: whether it follows JSON's grammar, and whether it is an integer
    /// written without a fraction or exponent. Nil, nothing taken, when none is there.
    private mutating func scanNumber() -> (valid: Bool, integer: Bool)? {
        let start = at
        if at < bytes.count, bytes[at] == UInt8(ascii: "-") { at += 1 }
        let digitsStart = at
        while at < bytes.count, Self.isDigit(bytes[at]) { at += 1 }
        let digits = at - digitsStart
        guard digits > 0 else {
            at = start
            return nil
        }
        // No leading zeros (`080`), as JSONDecoder refuses them in a number it reads.
        var valid = digits == 1 || bytes[digitsStart] != UInt8(ascii: "0")
        var integer = true
        if at < bytes.count, bytes[at] == UInt8(ascii: ".") {
            integer = false
            at += 1
            let fraction = at
            while at < bytes.count, Self.isDigit(bytes[at]) { at += 1 }
            valid = valid && at > fraction
        }
        if at < bytes.count, bytes[at] == UInt8(ascii: "e") || bytes[at] == UInt8(ascii: "E") {
            integer = false
            at += 1
            if at < bytes.count, bytes[at] == UInt8(ascii: "+") || bytes[at] == UInt8(ascii: "-") { at += 1 }
            let exponent = at
            while at < bytes.count, Self.isDigit(bytes[at]) { at += 1 }
            valid = valid && at > exponent
        }
        // Whatever else follows that could be part of a number makes it no number at all.
        while at < bytes.count, Self.isNumberCharacter(bytes[at]) {
            valid = false
            at += 1
        }
        return (valid, integer && valid)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func isNumberCharacter(_ byte: UInt8) -> Bool {
        isDigit(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
    }

    private mutating func skipSpace() {
        while at < bytes.count {
            switch bytes[at] {
            case 0x20, 0x0A, 0x0D, 0x09: at += 1
            default: return
            }
        }
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard at + count <= bytes.count, memcmp(word.utf8Start, bytes.baseAddress! + at, count) == 0 else { return false }
        at += count
        return true
    }

    /// A string's body with its escapes resolved; surrogate pairs joined, a lone one refused.
    private func unescape(_ body: UnsafeRawBufferPointer, from start: Int) throws(Failure) -> String {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(body.count)
        var index = 0
        func hex4(_ at: Int) throws(Failure) -> UInt32 {
            guard at + 4 <= body.count else { throw failure("a short \\u escape", at: start + at) }
            var value: UInt32 = 0
            for byte in body[at..<(at + 4)] {
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw failure("a bad \\u escape", at: start + at)
                }
                value = value << 4 | UInt32(digit)
            }
            return value
        }
        while index < body.count {
            let byte = body[index]
            guard byte == UInt8(ascii: "\\") else {
                utf8.append(byte)
                index += 1
                continue
            }
            guard index + 1 < body.count else { throw failure("a bad escape", at: start + index) }
            let code = body[index + 1]
            index += 2
            switch code {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(code)
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4(index)
                index += 4
                if scalar >= 0xD800, scalar < 0xDC00 {
                    guard index + 6 <= body.count, body[index] == UInt8(ascii: "\\"), body[index + 1] == UInt8(ascii: "u")
                    else { throw failure("a lone surrogate", at: start + index) }
                    let low = try hex4(index + 2)
                    guard low >= 0xDC00, low < 0xE000 else { throw failure("a lone surrogate", at: start + index) }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                } else if scalar >= 0xDC00, scalar < 0xE000 {
                    throw failure("a lone surrogate", at: start + index)
                }
                // Not a surrogate (both halves are handled above) and at most 0x10FFFF: a scalar.
                UTF8.encode(Unicode.Scalar(scalar)!) { utf8.append($0) }
            default: throw failure("a bad escape", at: start + index - 2)
            }
        }
        guard let text = String(validating: utf8, as: UTF8.self) else { throw failure("invalid UTF-8", at: start) }
        return text
    }

    /// An object just read lacked `field`, which must be there.
    public func missing(_ field: String) -> Failure {
        failure("the object before this has no \(field)")
    }

    private func failure(_ message: String, at offset: Int? = nil) -> Failure {
        Failure(offset: offset ?? at, message: message)
    }
}
