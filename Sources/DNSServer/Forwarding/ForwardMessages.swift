import DNSWire

/// The messages the forwarder writes: the query it sends upstream and the replies it sends
/// back to clients.
enum ForwardMessages {
    /// Our query to an upstream: a fresh ID, RD=1 (the upstream resolves for us), CD as the
    /// client set it, the client's question as spelled, and our own OPT (our UDP size, the
    /// client's DO bit), so large answers can come over UDP.
    static func upstreamQuery(id: UInt16, client: ClientQuery, opt: [UInt8]) -> [UInt8] {
        var message: [UInt8] = [
            UInt8(id >> 8), UInt8(truncatingIfNeeded: id), 0x01, UInt8(truncatingIfNeeded: client.flags & 0x0010),
            0, 1, 0, 0, 0, 0, 0, 1,
        ]
        message.reserveCapacity(12 + client.question.count + opt.count)
        message += client.question
        var record = opt
        record[7] = client.edns?.dnssecOK == true ? 0x80 : 0
        message += record
        return message
    }

    /// `answer` for `client`: its ID and question spelling, RA=1 and AA=0, TTLs lowered by
    /// `age` seconds, an OPT only if the client sent one. Bigger than `limit`: the question
    /// alone with TC=1, and the client asks again over TCP.
    static func reply(_ answer: UpstreamAnswer, age: UInt32, to client: ClientQuery, opt: [UInt8], limit: Int) -> [UInt8] {
        let optSize = client.edns == nil ? 0 : opt.count
        guard answer.message.count + optSize <= limit else {
            return error(rcode: answer.rcode, to: client, opt: opt, truncated: true)
        }
        var message = answer.message
        message.replaceSubrange(12..<(12 + client.question.count), with: client.question)
        if age > 0 {
            for offset in answer.ttlOffsets {
                let ttl = UpstreamAnswer.read32(message, offset)
                UpstreamAnswer.write32(&message, offset, ttl > age ? ttl - age : 0)
            }
        }
        // AD means something only to a client that asked for DNSSEC (RFC 6840 section 5.8).
        let wantsAD = client.edns?.dnssecOK == true || client.flags & 0x0020 != 0
        header(&message, client: client, rcode: answer.rcode, truncated: false, authenticated: answer.authenticated && wantsAD)
        appendOPT(&message, client: client, opt: opt, rcode: answer.rcode)
        return message
    }

    /// A reply without records: SERVFAIL when every upstream failed, REFUSED over the cap,
    /// or the TC=1 stub of an answer too big for the client's UDP limit.
    static func error(rcode: UInt16, to client: ClientQuery, opt: [UInt8], truncated: Bool = false) -> [UInt8] {
        var message = [UInt8](repeating: 0, count: 12)
        message += client.question
        message[5] = 1
        header(&message, client: client, rcode: rcode, truncated: truncated, authenticated: false)
        appendOPT(&message, client: client, opt: opt, rcode: rcode)
        return message
    }

    static func header(_ message: inout [UInt8], client: ClientQuery, rcode: UInt16, truncated: Bool, authenticated: Bool) {
        var flags: UInt16 = 0x8000 | 0x0080 | (client.flags & 0x0110) | (rcode & 0xF)
        if truncated { flags |= 0x0200 }
        if authenticated { flags |= 0x0020 }
        message[0] = UInt8(client.id >> 8)
        message[1] = UInt8(truncatingIfNeeded: client.id)
        message[2] = UInt8(flags >> 8)
        message[3] = UInt8(truncatingIfNeeded: flags)
    }

    static func appendOPT(_ message: inout [UInt8], client: ClientQuery, opt: [UInt8], rcode: UInt16) {
        guard let edns = client.edns else { return }
        var record = opt
        record[5] = UInt8(truncatingIfNeeded: rcode >> 4)
        record[7] = edns.dnssecOK ? 0x80 : 0
        message += record
        let additional = (Int(message[10]) << 8 | Int(message[11])) + 1
        message[10] = UInt8(additional >> 8)
        message[11] = UInt8(truncatingIfNeeded: additional)
    }
}
