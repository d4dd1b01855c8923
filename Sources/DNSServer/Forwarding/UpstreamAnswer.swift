import DNSWire

/// An upstream's response, checked and normalized for the cache: the OPT record removed
/// (each client gets its own), the question as we sent it, and where every TTL sits.
struct UpstreamAnswer {
    /// The whole message without OPT; ID and flags are rewritten for each client.
    var message: [UInt8]
    /// Offset just past the question.
    var questionEnd: Int
    /// The full RCODE (extended bits from the upstream's OPT included).
    var rcode: UInt16
    var truncated: Bool
    /// Header bit AD (authenticated data) as the upstream set it.
    var authenticated: Bool
    /// Offsets of the 4-byte TTL of every record, counted down when served from the cache.
    var ttlOffsets: [Int]
    /// How long it may be cached (RFC 2308 for negative answers); nil: not cacheable.
    var cacheTTL: UInt32?

    /// Reads `bytes` as the answer to `sent` (our query: ID and question). Nil for anything
    /// that is not that answer: another ID, not a response, another question (matched
    /// case-insensitively: some resolvers lower-case it), or a message that does not parse.
    init?(_ bytes: [UInt8], answering sent: [UInt8], sentQuestionEnd: Int, maxTTL: UInt32) {
        guard bytes.count >= sentQuestionEnd, bytes[0] == sent[0], bytes[1] == sent[1],
            bytes[2] & 0x80 != 0, bytes[2] & 0x78 == 0, bytes[4] == 0, bytes[5] == 1,
            Self.sameQuestion(bytes, sent, end: sentQuestionEnd),
            let layout = try? MessageLayout(message: bytes)
        else { return nil }
        questionEnd = layout.questionEnd
        truncated = bytes[2] & 0x02 != 0
        authenticated = bytes[3] & 0x20 != 0
        rcode = UInt16(bytes[3] & 0x0F)
        var message = Array(bytes[..<layout.end])
        var records = Self.records(message, layout)
        if let opt = records.firstIndex(where: { $0.type == RecordType.opt && $0.section == 3 }) {
            let record = records[opt]
            rcode |= UInt16(message[record.ownerEnd + 4]) << 4
            message.removeSubrange(record.start..<record.end)
            let additional = (Int(message[10]) << 8 | Int(message[11])) - 1
            message[10] = UInt8(additional >> 8)
            message[11] = UInt8(truncatingIfNeeded: additional)
            records.remove(at: opt)
            let shift = record.end - record.start
            for index in records.indices where records[index].start > record.start {
                records[index].start -= shift
                records[index].ownerEnd -= shift
                records[index].end -= shift
            }
        }
        ttlOffsets = records.filter { $0.type != RecordType.opt }.map { $0.ownerEnd + 4 }
        cacheTTL = truncated ? nil : Self.cacheTTL(message, records: records, rcode: rcode, maxTTL: maxTTL)
        if let ttl = cacheTTL {
            // Every record shows the time the entry has left, as a cache should (RFC 2308
            // section 5 for the SOA of a negative answer; RFC 2181 5.2 within an RRset).
            for offset in ttlOffsets { Self.write32(&message, offset, ttl) }
        }
        self.message = message
    }

    struct RecordSpan {
        var start: Int
        var ownerEnd: Int
        var end: Int
        var type: UInt16
        var section: UInt8
    }

    private static func records(_ message: [UInt8], _ layout: MessageLayout) -> [RecordSpan] {
        layout.recordStarts.enumerated().compactMap { index, start in
            guard let ownerEnd = WireName.skip(message, from: start) else { return nil }
            let end = index + 1 < layout.recordStarts.count ? layout.recordStarts[index + 1] : layout.end
            let type = UInt16(message[ownerEnd]) << 8 | UInt16(message[ownerEnd + 1])
            return RecordSpan(start: start, ownerEnd: ownerEnd, end: end, type: type, section: layout.sectionOf[index])
        }
    }

    /// Positive: the smallest TTL of the answer and authority records. Negative (NXDOMAIN, or
    /// NOERROR without answers): min(SOA TTL, SOA MINIMUM) of the authority SOA, and not cached
    /// without one (RFC 2308 section 5). Other RCODEs are not cached.
    private static func cacheTTL(_ message: [UInt8], records: [RecordSpan], rcode: UInt16, maxTTL: UInt32) -> UInt32? {
        let answers = records.filter { $0.section == 1 }
        let ttl: UInt32
        if rcode == UInt16(ResponseCode.noError) && !answers.isEmpty {
            ttl = records.filter { $0.section < 3 }.map { read32(message, $0.ownerEnd + 4) }.min() ?? 0
        } else if rcode == UInt16(ResponseCode.noError) || rcode == UInt16(ResponseCode.nxDomain) {
            guard let soa = records.first(where: { $0.section == 2 && $0.type == RecordType.soa }),
                soa.end - 4 > soa.ownerEnd + 10
            else { return nil }
            ttl = min(read32(message, soa.ownerEnd + 4), read32(message, soa.end - 4))
        } else {
            return nil
        }
        let bounded = min(ttl, maxTTL)
        return bounded > 0 ? bounded : nil
    }

    private static func sameQuestion(_ a: [UInt8], _ b: [UInt8], end: Int) -> Bool {
        // The name, case-insensitively (a length octet is below 64, so it never matches a letter).
        for index in 12..<(end - 4) {
            let x = a[index], y = b[index]
            if x == y { continue }
            if x | 0x20 != y | 0x20 || !(0x61...0x7A).contains(x | 0x20) { return false }
        }
        return a[(end - 4)..<end] == b[(end - 4)..<end]
    }

    static func read32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8
            | UInt32(bytes[offset + 3])
    }

    static func write32(_ bytes: inout [UInt8], _ offset: Int, _ value: UInt32) {
        bytes[offset] = UInt8(value >> 24)
        bytes[offset + 1] = UInt8(truncatingIfNeeded: value >> 16)
        bytes[offset + 2] = UInt8(truncatingIfNeeded: value >> 8)
        bytes[offset + 3] = UInt8(truncatingIfNeeded: value)
    }
}
