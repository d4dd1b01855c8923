/// The parts of a query that the responder needs, read straight from the packet.
///
/// Parsing the fixed header and the question in Swift, not with `ldns_wire2pkt`, is a measured
/// choice: ldns builds a whole `ldns_pkt` (several allocations) per packet and does not check
/// QDCOUNT or trailing bytes, while this reader allocates nothing and rejects garbage early.
public struct Query: Sendable, Equatable {
    public var id: UInt16 = 0
    /// Header bits 16-31 of the query (QR, opcode, AA, TC, RD, RA, Z, AD, CD, RCODE).
    public var flags: UInt16 = 0
    /// Offset just past QTYPE and QCLASS; 12 when no question could be read.
    public var questionEnd: Int = 12
    /// Wire length of QNAME (root label included); 0 when no question could be read.
    public var nameLength: Int = 0
    public var type: UInt16 = 0
    public var qclass: UInt16 = 0
    public var edns: EDNS?

    public init() {}

    public var hasQuestion: Bool { nameLength > 0 }
    public var recursionDesired: Bool { flags & 0x0100 != 0 }

    public struct EDNS: Sendable, Equatable {
        public var udpSize: UInt16
        public var version: UInt8
        public var dnssecOK: Bool

        public init(udpSize: UInt16, version: UInt8, dnssecOK: Bool) {
            self.udpSize = udpSize
            self.version = version
            self.dnssecOK = dnssecOK
        }
    }
}

/// What to do with a packet.
public enum QueryVerdict: Sendable, Equatable {
    /// A response, or too short to hold a header: no answer at all.
    case drop
    /// Answer with this RCODE (FORMERR, NOTIMP, REFUSED, BADVERS) and no data.
    case reject(UInt16, Query)
    /// A well-formed query to look up.
    case lookup(Query)
}
