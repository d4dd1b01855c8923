import CLDNS

/// ldns as the encoder of every record that goes on the wire.
public enum MessageEncoder {
    /// A whole response message for the question `name`/`type`, names compressed by ldns.
    /// The ID is 0 and the flags are QR and AA (when `authoritative`) only: the responder
    /// patches ID, flags and the question's spelling per query.
    public static func response(
        name: DNSName, type: UInt16, rcode: UInt8, authoritative: Bool = true,
        answer: [Record] = [], authority: [Record] = [], additional: [Record] = []
    ) throws(DNSWireError) -> [UInt8] {
        guard let packet = ldns_pkt_new() else { throw DNSWireError.encodingFailed("a packet") }
        defer { ldns_pkt_free(packet) }
        ldns_pkt_set_qr(packet, true)
        ldns_pkt_set_aa(packet, authoritative)
        ldns_pkt_set_rcode(packet, rcode)
        guard let question = LDNSRecord.question(name, type: type) else {
            throw DNSWireError.encodingFailed("the question \(name)")
        }
        _ = ldns_pkt_push_rr(packet, LDNS_SECTION_QUESTION, question)
        for (section, records) in [
            (LDNS_SECTION_ANSWER, answer), (LDNS_SECTION_AUTHORITY, authority),
            (LDNS_SECTION_ADDITIONAL, additional),
        ] {
            for record in records {
                _ = ldns_pkt_push_rr(packet, section, try LDNSRecord.make(record))
            }
        }
        return try LDNSPacket.wire(packet, what: "the answer for \(name)")
    }

    /// One record in uncompressed wire form (owner, type, class, TTL, RDLENGTH, RDATA).
    public static func uncompressed(_ record: Record) throws(DNSWireError) -> [UInt8] {
        let rr = try LDNSRecord.make(record)
        defer { ldns_rr_free(rr) }
        return try LDNSPacket.bytes(what: "\(record.owner)") {
            ldns_rr2buffer_wire($0, rr, Int32(LDNS_SECTION_ANSWER.rawValue))
        }
    }

    /// The OPT pseudo-record (RFC 6891) with our UDP payload size, version 0, no options.
    public static func optRecord(udpSize: UInt16) throws(DNSWireError) -> [UInt8] {
        guard let packet = ldns_pkt_new() else { throw DNSWireError.encodingFailed("a packet") }
        defer { ldns_pkt_free(packet) }
        ldns_pkt_set_edns_udp_size(packet, udpSize)
        ldns_pkt_set_edns_version(packet, 0)
        // An empty packet is 12 header bytes followed by the 11-byte OPT record.
        let wire = try LDNSPacket.wire(packet, what: "the OPT record")
        guard wire.count == 23 else { throw DNSWireError.encodingFailed("the OPT record") }
        return Array(wire[12...])
    }
}
