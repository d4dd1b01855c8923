import DNSWire

/// Assembles one response in the caller's buffer: question copied as asked (DNS 0x20 case
/// echo), prebuilt body bytes, the OPT record, and the header last.
struct ResponseWriter {
    private let out: UnsafeMutableRawBufferPointer
    private let query: Query
    private let opt: [UInt8]
    private var position: Int
    private var answerCount = 0
    private var authorityCount = 0
    private var additionalCount = 0

    init(out: UnsafeMutableRawBufferPointer, packet: UnsafeRawBufferPointer, query: Query, opt: [UInt8]) {
        precondition(out.count >= 1024, "response buffers hold at least 1024 bytes")
        self.out = out
        self.query = query
        self.opt = opt
        position = query.hasQuestion ? query.questionEnd : 12
        if position > 12 {
            out.baseAddress!.advanced(by: 12).copyMemory(from: packet.baseAddress! + 12, byteCount: position - 12)
        }
    }

    mutating func append(_ bytes: [UInt8], answers: Int) {
        copy(bytes, from: 0, count: bytes.count)
        answerCount += answers
    }

    /// The address of a synthesized pod record: the last `count` bytes of the body.
    mutating func patchTail(_ address: (UInt64, UInt64), count: Int) {
        withUnsafeBytes(of: address) { raw in
            (out.baseAddress! + position - count).copyMemory(from: raw.baseAddress!, byteCount: count)
        }
    }

    /// NXDOMAIN/NODATA authority: the zone's SOA, its owner a pointer to the apex as it is
    /// spelled in the question.
    mutating func appendNegative(_ zone: ZoneInfo) {
        let apexOffset = query.questionEnd - 4 - zone.apex.count
        out[position] = 0xC0 | UInt8(apexOffset >> 8)
        out[position + 1] = UInt8(truncatingIfNeeded: apexOffset)
        position += 2
        copy(zone.soaTail, from: 0, count: zone.soaTail.count)
        authorityCount += 1
    }

    /// A compiled answer, cut after the last whole RRset that fits in `limit`, rotated when
    /// it is an address set, its SRV targets written out from `name` (the question's
    /// lower-case wire name) when they are compact. Returns true when answer or authority
    /// records were left out.
    mutating func append(
        _ shard: ZoneShard, answer: CompiledAnswer, limit: Int, rotation: UInt32, name: UnsafeRawBufferPointer
    ) -> Bool {
        let room = limit - position - (query.edns == nil ? 0 : opt.count)
        var cut = answer.whole
        if Int(cut.bodyLength) > room {
            cut = Cut(
                bodyLength: 0, answerCount: 0, authorityCount: 0, additionalCount: 0,
                truncates: answer.whole.answerCount + answer.whole.authorityCount > 0)
            let start = Int(answer.cutStart)
            for index in stride(from: start + Int(answer.cutCount) - 1, through: start, by: -1)
            where Int(shard.cuts[index].bodyLength) <= room {
                cut = shard.cuts[index]
                break
            }
        }
        let base = Int(answer.bodyStart)
        let count = Int(answer.rotateCount)
        if answer.compactTargets {
            expand(shard.bytes, from: base, length: Int(cut.bodyLength), name: name)
        } else if count > 1, Int(cut.answerCount) == count {
            let offset = Int(answer.rotateOffset)
            let stride = Int(answer.rotateStride)
            let first = Int(rotation % UInt32(count)) * stride
            copy(shard.bytes, from: base, count: offset)
            copy(shard.bytes, from: base + offset + first, count: count * stride - first)
            copy(shard.bytes, from: base + offset, count: first)
            let rest = offset + count * stride
            copy(shard.bytes, from: base + rest, count: Int(cut.bodyLength) - rest)
        } else {
            copy(shard.bytes, from: base, count: Int(cut.bodyLength))
        }
        answerCount += Int(cut.answerCount)
        authorityCount += Int(cut.authorityCount)
        additionalCount += Int(cut.additionalCount)
        return cut.truncates
    }

    /// Whole records made elsewhere (an address's PTR set), all or none: false, and nothing
    /// written, when they do not fit in `limit`.
    mutating func append(_ bytes: [UInt8], range: Range<Int>, answers: Int, limit: Int) -> Bool {
        let room = limit - position - (query.edns == nil ? 0 : opt.count)
        guard range.count <= room else { return false }
        copy(bytes, from: range.lowerBound, count: range.count)
        answerCount += answers
        return true
    }

    /// The sections of a whole message made elsewhere (autopath's composed answers), from
    /// `bodyStart` on, with its section counts. False, and nothing written, when it does not
    /// fit in `limit`: the caller sets TC and the client asks again over TCP.
    mutating func appendMessage(_ message: [UInt8], bodyStart: Int, limit: Int) -> Bool {
        let room = limit - position - (query.edns == nil ? 0 : opt.count)
        guard message.count - bodyStart <= room else { return false }
        copy(message, from: bodyStart, count: message.count - bodyStart)
        answerCount += Int(message[6]) << 8 | Int(message[7])
        authorityCount += Int(message[8]) << 8 | Int(message[9])
        additionalCount += Int(message[10]) << 8 | Int(message[11])
        return true
    }

    /// Adds the OPT record when the query had one, writes the header, returns the length.
    mutating func finish(rcode: UInt16, authoritative: Bool = true, truncated: Bool = false) -> Int {
        if let edns = query.edns {
            let start = position
            copy(opt, from: 0, count: opt.count)
            out[start + 5] = UInt8(truncatingIfNeeded: rcode >> 4)
            out[start + 7] = edns.dnssecOK ? 0x80 : 0
            additionalCount += 1
        }
        var flags: UInt16 = 0x8000 | (query.flags & 0x7800) | (query.flags & 0x0110) | (rcode & 0xF)
        if authoritative { flags |= 0x0400 }
        if truncated { flags |= 0x0200 }
        write16(0, query.id)
        write16(2, flags)
        write16(4, query.hasQuestion ? 1 : 0)
        write16(6, UInt16(answerCount))
        write16(8, UInt16(authorityCount))
        write16(10, UInt16(additionalCount))
        return position
    }

    /// The first `length` bytes on the wire of a body whose SRV targets are compact.
    private mutating func expand(_ bytes: [UInt8], from start: Int, length: Int, name: UnsafeRawBufferPointer) {
        let destination = out.baseAddress! + position
        position += bytes.withUnsafeBytes {
            CompactTargets.expand($0, start: start, length: length, name: name, into: destination)
        }
    }

    @inline(__always)
    private mutating func copy(_ bytes: [UInt8], from start: Int, count: Int) {
        guard count > 0 else { return }
        bytes.withUnsafeBytes { source in
            (out.baseAddress! + position).copyMemory(from: source.baseAddress! + start, byteCount: count)
        }
        position += count
    }

    @inline(__always)
    private func write16(_ offset: Int, _ value: UInt16) {
        out[offset] = UInt8(value >> 8)
        out[offset + 1] = UInt8(truncatingIfNeeded: value)
    }
}
