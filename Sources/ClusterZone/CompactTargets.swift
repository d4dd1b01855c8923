import DNSWire

/// SRV answers as a shard keeps them: each SRV record's target a pointer into the question
/// (after the target's own first label, for an endpoint's), where the wire has it in full
/// (RFC 2782: an SRV target is not compressed). The record's RDLENGTH is the full one. The
/// responder writes the targets out from the question's lower-case name per query.
///
/// At N = 100,000 the lab's SRV answers were 54.5 of the shards' 129 MB, as each service's
/// name answers SRV for all its ports and each port's name for itself, every target in full.
enum CompactTargets {
    /// Walks the stored body at `start` of an answer `expandedLength` bytes long on the wire,
    /// for a question name of `nameLength` bytes: the stored length, or nil when the bytes
    /// are not such a body (records that run past the end, a pointer outside the name).
    static func storedLength(
        _ bytes: UnsafeRawBufferPointer, start: Int, expandedLength: Int, nameLength: Int
    ) -> Int? {
        var source = start
        var produced = 0
        while produced < expandedLength {
            guard let record = record(bytes, at: source, nameLength: nameLength) else { return nil }
            source += record.stored
            produced += record.expanded
        }
        return produced == expandedLength ? source - start : nil
    }

    /// Writes the first `length` bytes on the wire of the stored body at `start` to `out`:
    /// each record copied, a target's pointer replaced by the rest of `name` (the question's
    /// lower-case wire name) it points into. Returns the bytes written. The cuts lie between
    /// records, and a shard is checked to hold such records (``ZoneShard/isConsistent(zoneCount:)``):
    /// a record that is not one, or would go past `length`, ends the copy.
    static func expand(
        _ bytes: UnsafeRawBufferPointer, start: Int, length: Int, name: UnsafeRawBufferPointer,
        into out: UnsafeMutableRawPointer
    ) -> Int {
        var next = start
        var written = 0
        while written < length, let record = record(bytes, at: next, nameLength: name.count),
            written + record.expanded <= length
        {
            guard let pointer = record.pointerAt else {
                (out + written).copyMemory(from: bytes.baseAddress! + next, byteCount: record.stored)
                written += record.stored
                next += record.stored
                continue
            }
            let head = pointer - next
            (out + written).copyMemory(from: bytes.baseAddress! + next, byteCount: head)
            let suffix = name.count - record.suffixStart
            (out + written + head).copyMemory(from: name.baseAddress! + record.suffixStart, byteCount: suffix)
            written += head + suffix
            next += record.stored
        }
        return written
    }

    /// One stored record at `start`: its stored and wire lengths, and for an SRV record where
    /// its target's pointer lies (the rest of the record is copied as it is).
    struct StoredRecord {
        var stored: Int
        var expanded: Int
        /// For an SRV record: the offset of the target's pointer, and where in the question
        /// name (after the header) the target's suffix starts.
        var pointerAt: Int?
        var suffixStart: Int
    }

    @inline(__always)
    static func record(_ bytes: UnsafeRawBufferPointer, at start: Int, nameLength: Int) -> StoredRecord? {
        guard let ownerEnd = nameEnd(bytes, at: start), ownerEnd + 10 <= bytes.count else { return nil }
        let type = UInt16(bytes[ownerEnd]) << 8 | UInt16(bytes[ownerEnd + 1])
        let dataLength = Int(bytes[ownerEnd + 8]) << 8 | Int(bytes[ownerEnd + 9])
        let dataStart = ownerEnd + 10
        guard type == RecordType.srv else {
            guard dataStart + dataLength <= bytes.count else { return nil }
            let length = dataStart + dataLength - start
            return StoredRecord(stored: length, expanded: length, pointerAt: nil, suffixStart: 0)
        }
        // Priority, weight, port, then the target's labels up to its pointer.
        var pointer = dataStart + 6
        while pointer < bytes.count, bytes[pointer] & 0xC0 == 0 {
            guard bytes[pointer] != 0 else { return nil }
            pointer += 1 + Int(bytes[pointer])
        }
        guard pointer + 2 <= bytes.count, bytes[pointer] & 0xC0 == 0xC0 else { return nil }
        let suffixStart = (Int(bytes[pointer] & 0x3F) << 8 | Int(bytes[pointer + 1])) - 12
        guard suffixStart >= 0, suffixStart < nameLength,
            dataLength == (pointer - dataStart) + (nameLength - suffixStart)
        else { return nil }
        return StoredRecord(
            stored: pointer + 2 - start, expanded: dataStart + dataLength - start, pointerAt: pointer,
            suffixStart: suffixStart)
    }

    /// Where the name at `start` ends: after its zero octet or its pointer.
    @inline(__always)
    private static func nameEnd(_ bytes: UnsafeRawBufferPointer, at start: Int) -> Int? {
        var index = start
        while index < bytes.count {
            let length = Int(bytes[index])
            if length == 0 { return index + 1 }
            if length & 0xC0 == 0xC0 { return index + 2 <= bytes.count ? index + 2 : nil }
            guard length & 0xC0 == 0 else { return nil }
            index += 1 + length
        }
        return nil
    }
}
