#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A running checksum over the pieces of a snapshot file, piece by piece: reader and writer
/// go through the same pieces in the same order.
struct SnapshotChecksum {
    private(set) var value: UInt64 = 0x9E37_79B9_7F4A_7C15

    mutating func add(_ bytes: UnsafeRawBufferPointer) {
        var hash = value ^ (UInt64(bytes.count) &* 0xFF51_AFD7_ED55_8CCD)
        var offset = 0
        while offset + 8 <= bytes.count {
            hash = Self.mix(hash ^ bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            offset += 8
        }
        var tail: UInt64 = 0
        for (shift, byte) in bytes[offset...].enumerated() { tail |= UInt64(byte) << (shift * 8) }
        value = Self.mix(hash ^ tail)
    }

    @inline(__always)
    private static func mix(_ value: UInt64) -> UInt64 {
        let product = value.multipliedFullWidth(by: 0xC4CE_B9FE_1A85_EC53)
        return product.high ^ product.low
    }
}

/// Writes integers, strings and arrays of plain structs as their bytes.
struct SnapshotWriter {
    let file: UnsafeMutablePointer<FILE>
    private var checksum = SnapshotChecksum()

    init(file: UnsafeMutablePointer<FILE>) {
        self.file = file
    }

    private mutating func bytes(_ buffer: UnsafeRawBufferPointer) throws(SnapshotFileError) {
        checksum.add(buffer)
        guard buffer.count > 0 else { return }
        guard fwrite(buffer.baseAddress!, 1, buffer.count, file) == buffer.count else {
            throw SnapshotFileError("cannot write the snapshot", errno: errno)
        }
    }

    mutating func integer<T: FixedWidthInteger>(_ value: T) throws(SnapshotFileError) {
        var value = value
        try withUnsafeBytes(of: &value) { (buffer) throws(SnapshotFileError) in try bytes(buffer) }
    }

    mutating func array<T: BitwiseCopyable>(_ array: [T]) throws(SnapshotFileError) {
        try integer(UInt64(array.count))
        var failure: SnapshotFileError?
        array.withUnsafeBytes { buffer in
            do throws(SnapshotFileError) { try bytes(buffer) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    mutating func string(_ string: String) throws(SnapshotFileError) {
        try array(Array(string.utf8))
    }

    mutating func dictionary(_ dictionary: [String: String]) throws(SnapshotFileError) {
        try integer(UInt64(dictionary.count))
        for (key, value) in dictionary.sorted(by: { $0.key < $1.key }) {
            try string(key)
            try string(value)
        }
    }

    mutating func header(identity: String, magic: UInt64, format: UInt32, layout: [UInt32]) throws(SnapshotFileError) {
        try integer(magic)
        try integer(format)
        try array(layout)
        try string(identity)
    }

    /// The checksum of everything before it.
    mutating func trailer() throws(SnapshotFileError) {
        try integer(checksum.value)
    }
}

/// Reads what ``SnapshotWriter`` wrote, refusing counts larger than what is left of the file.
struct SnapshotReader {
    let file: UnsafeMutablePointer<FILE>
    private var remaining: Int
    private var checksum = SnapshotChecksum()

    init(file: UnsafeMutablePointer<FILE>, size: Int) {
        self.file = file
        self.remaining = size
    }

    private mutating func bytes(into buffer: UnsafeMutableRawBufferPointer) throws(SnapshotFileError) {
        if buffer.count > 0 {
            guard buffer.count <= remaining, fread(buffer.baseAddress!, 1, buffer.count, file) == buffer.count else {
                throw SnapshotFileError("the snapshot file is truncated")
            }
            remaining -= buffer.count
        }
        checksum.add(UnsafeRawBufferPointer(buffer))
    }

    mutating func integer<T: FixedWidthInteger>() throws(SnapshotFileError) -> T {
        var value = T.zero
        try withUnsafeMutableBytes(of: &value) { (buffer) throws(SnapshotFileError) in try bytes(into: buffer) }
        return value
    }

    /// A count of items at least `size` bytes each, checked against the bytes left.
    mutating func count(atLeast size: Int) throws(SnapshotFileError) -> Int {
        let count: UInt64 = try integer()
        guard count <= UInt64(remaining / max(size, 1)) else { throw SnapshotFileError("a count runs past the end of the file") }
        return Int(count)
    }

    mutating func array<T: BitwiseCopyable>() throws(SnapshotFileError) -> [T] {
        let count = try self.count(atLeast: MemoryLayout<T>.stride)
        var failure: SnapshotFileError?
        let array = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            do throws(SnapshotFileError) {
                try bytes(into: UnsafeMutableRawBufferPointer(buffer))
                initialized = count
            } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw failure }
        return array
    }

    mutating func string() throws(SnapshotFileError) -> String {
        String(decoding: try array() as [UInt8], as: UTF8.self)
    }

    mutating func dictionary() throws(SnapshotFileError) -> [String: String] {
        var dictionary: [String: String] = [:]
        for _ in 0..<(try count(atLeast: 16)) {
            let key = try string()
            dictionary[key] = try string()
        }
        return dictionary
    }

    mutating func header(identity: String, magic: UInt64, format: UInt32, layout: [UInt32]) throws(SnapshotFileError) {
        guard try integer() as UInt64 == magic else { throw SnapshotFileError("not a ClusterDNS snapshot file") }
        guard try integer() as UInt32 == format, try array() as [UInt32] == layout else {
            throw SnapshotFileError("written by another version of ClusterDNS")
        }
        guard try string() == identity else {
            throw SnapshotFileError("saved for another configuration, zone files or registry")
        }
    }

    mutating func trailer() throws(SnapshotFileError) {
        let expected = checksum.value
        guard try integer() as UInt64 == expected else { throw SnapshotFileError("the snapshot file is damaged (checksum)") }
        guard remaining == 0 else { throw SnapshotFileError("the snapshot file has trailing bytes") }
    }
}
