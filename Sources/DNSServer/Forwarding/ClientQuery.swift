import DNSWire
import NIOCore

/// Where a forwarded query's answer goes back to.
enum ClientReply {
    /// The client's address, for the query log.
    var address: SocketAddress? {
        switch self {
        case .udp(_, let address): address
        case .tcp(let channel): channel.remoteAddress
        }
    }

    var transport: QueryTransport {
        switch self {
        case .udp: .udp
        case .tcp: .tcp
        }
    }

    /// A datagram from `address`, answered through the listening socket it came in on.
    case udp(DatagramSocket, SocketAddress)
    /// A TCP connection: the answer is framed with its 2-byte length.
    case tcp(any Channel)

    /// Writes one response. A write to a client that has gone (closed connection) fails
    /// with nobody left to tell, hence no promise.
    func send(_ message: [UInt8]) {
        switch self {
        case .udp(let socket, let address):
            socket.send(message, to: address)
        case .tcp(let channel):
            var buffer = channel.allocator.buffer(capacity: message.count + 2)
            buffer.writeInteger(UInt16(message.count))
            buffer.writeBytes(message)
            channel.writeAndFlush(buffer, promise: nil)
        }
    }
}

/// What a forwarded answer must restore for its client: ID, flags, the question as spelled,
/// whether it spoke EDNS, and how big a reply it can take.
struct ClientQuery {
    var id: UInt16
    var flags: UInt16
    var edns: Query.EDNS?
    /// QNAME as the client spelled it, QTYPE and QCLASS.
    var question: [UInt8]
    var reply: ClientReply
    /// Set when the client asked another name and this query only finishes its answer
    /// (autopath's last step, an ExternalName's target): `question` is then the target's.
    var chase: ChaseReply? = nil
    /// When the query arrived (``NIODeadline`` uptime nanoseconds), for the request duration.
    var received: UInt64 = 0

    /// The largest reply this client takes: TCP's 65535, or its EDNS size (at least 512) capped
    /// at ours, or 512 without EDNS (SPEC.md section 6).
    func limit(maxUDPSize: Int) -> Int {
        switch reply {
        case .tcp: return 65535
        case .udp:
            guard let edns else { return 512 }
            return max(512, min(Int(edns.udpSize), maxUDPSize))
        }
    }
}

/// What a client whose answer the upstream finishes gets: its own question, the aliases ahead
/// of the upstream's records, and the complete answer to send when the upstream has none.
struct ChaseReply {
    /// QNAME as the client spelled it, QTYPE and QCLASS.
    var askedQuestion: [UInt8]
    var aliases: [Record]
    /// Already addressed to the client (its ID, flags, OPT): sent as it is.
    var fallback: [UInt8]
    var keepsFallbackAnswers: Bool
    var isAutopath: Bool
}
