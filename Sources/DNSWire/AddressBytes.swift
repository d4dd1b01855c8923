/// The 4 octets of an A record or the 16 of an AAAA record, held inline. A large cluster's
/// model holds hundreds of thousands of address records, and an array each was a heap
/// allocation each (48 bytes for 4 octets).
public struct AddressBytes: Sendable, Hashable, ExpressibleByArrayLiteral {
    private var storage: (UInt64, UInt64) = (0, 0)
    private let octets: UInt8

    public var count: Int { Int(octets) }

    /// Up to 16 octets (an address has 4 or 16; ldns refuses other lengths when it encodes).
    public init(_ bytes: some Collection<UInt8>) {
        precondition(bytes.count <= 16, "an address has at most 16 octets")
        octets = UInt8(bytes.count)
        withUnsafeMutableBytes(of: &storage) { raw in
            for (offset, byte) in bytes.enumerated() { raw[offset] = byte }
        }
    }

    /// The same from an array, without the generic walk over a collection: a whole list's
    /// build makes one per endpoint.
    public init(_ bytes: [UInt8]) {
        precondition(bytes.count <= 16, "an address has at most 16 octets")
        octets = UInt8(bytes.count)
        withUnsafeMutableBytes(of: &storage) { raw in
            bytes.withUnsafeBytes { raw.copyMemory(from: $0) }
        }
    }

    public init(arrayLiteral bytes: UInt8...) {
        self.init(bytes)
    }

    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try Swift.withUnsafeBytes(of: storage) { try body(UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
    }

    public static func == (left: AddressBytes, right: AddressBytes) -> Bool {
        left.octets == right.octets && left.storage == right.storage
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(octets)
        hasher.combine(storage.0)
        hasher.combine(storage.1)
    }
}

/// The octets as a collection: what goes on the wire after an address record's length.
extension AddressBytes: RandomAccessCollection {
    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> UInt8 {
        precondition(position >= 0 && position < count, "octet index out of range")
        return Swift.withUnsafeBytes(of: storage) { $0[position] }
    }
}
