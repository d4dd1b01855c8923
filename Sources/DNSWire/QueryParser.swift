/// Reads a query packet without allocating (SPEC.md section 6 rules).
public enum QueryParser {
    /// Parses `packet`, writing the lower-cased QNAME (wire form) to `name`, which must hold at
    /// least 255 bytes.
    public static func parse(_ packet: UnsafeRawBufferPointer, name: UnsafeMutableRawBufferPointer) -> QueryVerdict {
        guard packet.count >= 12 else { return .drop }
        var query = Query()
        query.id = read16(packet, 0)
        query.flags = read16(packet, 2)
        guard query.flags & 0x8000 == 0 else { return .drop }
        guard (query.flags >> 11) & 0xF == 0 else { return .reject(UInt16(ResponseCode.notImp), query) }
        guard read16(packet, 4) == 1 else { return .reject(UInt16(ResponseCode.formErr), query) }

        guard let nameEnd = readName(packet, into: name) else {
            return .reject(UInt16(ResponseCode.formErr), query)
        }
        guard nameEnd + 4 <= packet.count else { return .reject(UInt16(ResponseCode.formErr), query) }
        var parsed = query
        parsed.nameLength = nameEnd - 12
        parsed.type = read16(packet, nameEnd)
        parsed.qclass = read16(packet, nameEnd + 2)
        parsed.questionEnd = nameEnd + 4

        let records = Int(read16(packet, 6)) + Int(read16(packet, 8)) + Int(read16(packet, 10))
        var offset = parsed.questionEnd
        for _ in 0..<records {
            guard let ownerEnd = skipName(packet, offset), ownerEnd + 10 <= packet.count else {
                return .reject(UInt16(ResponseCode.formErr), query)
            }
            let type = read16(packet, ownerEnd)
            let rdLength = Int(read16(packet, ownerEnd + 8))
            guard ownerEnd + 10 + rdLength <= packet.count else {
                return .reject(UInt16(ResponseCode.formErr), query)
            }
            if type == RecordType.opt {
                // RFC 6891: one OPT at most, owned by the root.
                guard parsed.edns == nil, ownerEnd == offset + 1 else {
                    return .reject(UInt16(ResponseCode.formErr), query)
                }
                parsed.edns = Query.EDNS(
                    udpSize: read16(packet, ownerEnd + 2),
                    version: packet[ownerEnd + 5],
                    dnssecOK: packet[ownerEnd + 6] & 0x80 != 0)
            }
            offset = ownerEnd + 10 + rdLength
        }

        if let edns = parsed.edns, edns.version > 0 { return .reject(ResponseCode.badVers, parsed) }
        guard parsed.qclass == RecordClass.internet || parsed.qclass == RecordClass.any else {
            return .reject(UInt16(ResponseCode.refused), parsed)
        }
        guard parsed.type != RecordType.axfr, parsed.type != RecordType.ixfr else {
            return .reject(UInt16(ResponseCode.refused), parsed)
        }
        guard parsed.type != RecordType.opt else { return .reject(UInt16(ResponseCode.formErr), query) }
        return .lookup(parsed)
    }

    @inline(__always)
    static func read16(_ packet: UnsafeRawBufferPointer, _ offset: Int) -> UInt16 {
        UInt16(packet[offset]) << 8 | UInt16(packet[offset + 1])
    }

    /// The question name: plain labels only (a compression pointer in the first name of a
    /// message can only point backwards into the header, so it is garbage), at most 255 octets.
    private static func readName(_ packet: UnsafeRawBufferPointer, into name: UnsafeMutableRawBufferPointer) -> Int? {
        var index = 12
        while index < packet.count {
            let length = Int(packet[index])
            guard length & 0xC0 == 0 else { return nil }
            // The name so far, this label, and at least the root label must fit in 255 octets.
            let needed = index - 12 + length + (length == 0 ? 1 : 2)
            guard needed <= 255, index + length < packet.count else { return nil }
            name[index - 12] = UInt8(length)
            if length == 0 { return index + 1 }
            for position in (index + 1)...(index + length) {
                let byte = packet[position]
                name[position - 12] = byte &+ ((byte &- 0x41) < 26 ? 0x20 : 0)
            }
            index += length + 1
        }
        return nil
    }

    /// Skips a record owner name, compression allowed (it ends the name).
    private static func skipName(_ packet: UnsafeRawBufferPointer, _ offset: Int) -> Int? {
        var index = offset
        while index < packet.count {
            let length = Int(packet[index])
            if length == 0 { return index + 1 }
            switch length & 0xC0 {
            case 0xC0: return index + 2 <= packet.count ? index + 2 : nil
            case 0x00: index += length + 1
            default: return nil
            }
        }
        return nil
    }
}
