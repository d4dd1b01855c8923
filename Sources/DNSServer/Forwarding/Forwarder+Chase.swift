import ClusterZone
import DNSWire
import NIOCore

/// Answers that the upstream finishes for the responder (``Responder/Chase``), and the replies
/// every waiting client gets, chased or not.
extension Forwarder {
    /// Asks the upstream for `chase.target` on behalf of `packet`'s client, and answers it with
    /// the chase's aliases and the upstream's records, or with `fallback` (already addressed to
    /// the client) when the upstream has nothing.
    func chase(_ packet: ByteBuffer, _ chase: Responder.Chase, fallback: [UInt8], reply: ClientReply, received: UInt64) {
        let query = chase.query
        guard query.hasQuestion, packet.readableBytes >= query.questionEnd else {
            // Cannot happen for a query the responder parsed; the fallback is a true answer anyway.
            reply.send(fallback)
            return
        }
        let asked = Array(packet.readableBytesView.dropFirst(12).prefix(query.questionEnd - 12))
        var client = ClientQuery(
            id: query.id, flags: query.flags, edns: query.edns, question: chase.target + asked.suffix(4), reply: reply,
            received: received)
        client.chase = ChaseReply(
            askedQuestion: asked, aliases: chase.aliases, fallback: fallback,
            keepsFallbackAnswers: chase.keepsFallbackAnswers, isAutopath: chase.isAutopath)
        submit(client, name: chase.target, query: query)
    }

    /// The upstream's answer for `client`: as it is, or joined to a chase's aliases.
    func send(_ answer: UpstreamAnswer, age: UInt32, to client: ClientQuery) {
        let limit = client.limit(maxUDPSize: maxUDPSize)
        guard let chase = client.chase else {
            deliver(ForwardMessages.reply(answer, age: age, to: client, opt: opt, limit: limit), to: client)
            return
        }
        do {
            if let joined = try ChaseMessages.reply(answer, age: age, to: client, chase: chase, opt: opt, limit: limit) {
                if chase.isAutopath { autopath.countUpstreamHit() }
                deliver(joined, to: client)
                return
            }
        } catch {
            logger.warning("cannot join an upstream answer to its alias, answering without it", metadata: [
                "error": "\(error)",
            ])
        }
        if chase.isAutopath { autopath.countMiss() }
        deliver(chase.fallback, to: client)
    }

    /// No answer from upstream: the error, or a chase's own fallback answer (still true).
    func sendError(_ rcode: UInt16, to client: ClientQuery) {
        if let chase = client.chase {
            if chase.isAutopath { autopath.countMiss() }
            deliver(chase.fallback, to: client)
        } else {
            deliver(ForwardMessages.error(rcode: rcode, to: client, opt: opt), to: client)
        }
    }
}
