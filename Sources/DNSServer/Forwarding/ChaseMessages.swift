import DNSWire

/// Replies for clients whose answer the upstream finishes (``ChaseReply``): their aliases,
/// then the upstream's records, for the name they asked.
enum ChaseMessages {
    /// The joined answer, or nil when the upstream found nothing (any RCODE but NOERROR):
    /// the client's fallback answer is the truth then. Throws when ldns cannot join them.
    static func reply(
        _ answer: UpstreamAnswer, age: UInt32, to client: ClientQuery, chase: ChaseReply, opt: [UInt8], limit: Int
    ) throws(DNSWireError) -> [UInt8]? {
        guard answer.rcode == UInt16(ResponseCode.noError) else { return nil }
        // The upstream's answer with its TTLs aged, as a whole message of its own question.
        var plain = client
        plain.edns = nil
        let upstream = ForwardMessages.reply(answer, age: age, to: plain, opt: opt, limit: 65535)
        let asked = chase.askedQuestion
        let nameEnd = asked.count - 4
        let type = UInt16(asked[nameEnd]) << 8 | UInt16(asked[nameEnd + 1])
        var message = try AliasComposer.compose(
            name: DNSName(uncheckedWire: Array(asked[..<nameEnd])), type: type, authoritative: false,
            aliases: chase.aliases, parts: chase.keepsFallbackAnswers ? [chase.fallback, upstream] : [upstream])
        // DNSName lower-cases; the client gets its own spelling back (DNS 0x20).
        message.replaceSubrange(12..<(12 + asked.count), with: asked)
        var addressed = client
        addressed.question = asked
        let optSize = client.edns == nil ? 0 : opt.count
        guard message.count + optSize <= limit else {
            return ForwardMessages.error(rcode: 0, to: addressed, opt: opt, truncated: true)
        }
        let rcode = UInt16(message[3] & 0x0F)
        ForwardMessages.header(&message, client: addressed, rcode: rcode, truncated: false, authenticated: false)
        ForwardMessages.appendOPT(&message, client: addressed, opt: opt, rcode: rcode)
        return message
    }
}
