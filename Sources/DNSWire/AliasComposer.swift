import CLDNS

/// Joins answers made for other names into one response for the asked name: a CNAME chain
/// (autopath's alias, an ExternalName's target) followed by the records found at its end.
///
/// The parts are whole messages whose names are compressed relative to their OWN question,
/// so their bytes cannot be spliced: ldns decodes them (expanding every pointer) and encodes
/// the joined message again. That costs one ldns decode per part and one encode (tens of µs),
/// which only the autopath and ExternalName-upstream paths pay.
public enum AliasComposer {
    /// A response to `name`/`type`: `aliases`, then the answer records of each of `parts` in
    /// order; authority and additional records (OPT excluded) and the RCODE come from the last
    /// part. ID 0, flags QR and AA (when `authoritative`) only: the caller patches them.
    public static func compose(
        name: DNSName, type: UInt16, authoritative: Bool, aliases: [Record], parts: [[UInt8]]
    ) throws(DNSWireError) -> [UInt8] {
        guard let packet = ldns_pkt_new() else { throw DNSWireError.encodingFailed("a packet") }
        defer { ldns_pkt_free(packet) }
        ldns_pkt_set_qr(packet, true)
        ldns_pkt_set_aa(packet, authoritative)
        guard let question = LDNSRecord.question(name, type: type) else {
            throw DNSWireError.encodingFailed("the question \(name)")
        }
        _ = ldns_pkt_push_rr(packet, LDNS_SECTION_QUESTION, question)
        for alias in aliases {
            _ = ldns_pkt_push_rr(packet, LDNS_SECTION_ANSWER, try LDNSRecord.make(alias))
        }
        for (index, part) in parts.enumerated() {
            var decoded: UnsafeMutablePointer<ldns_pkt>?
            let status = part.withUnsafeBytes { ldns_wire2pkt(&decoded, $0.baseAddress, part.count) }
            guard status == LDNS_STATUS_OK, let decoded else {
                throw DNSWireError.invalidRecord(
                    "undecodable answer part: \(String(cString: ldns_get_errorstr_by_id(status)))")
            }
            defer { ldns_pkt_free(decoded) }
            try copy(ldns_pkt_answer(decoded), to: packet, section: LDNS_SECTION_ANSWER)
            guard index == parts.count - 1 else { continue }
            ldns_pkt_set_rcode(packet, UInt8(truncatingIfNeeded: ldns_pkt_get_rcode(decoded).rawValue))
            try copy(ldns_pkt_authority(decoded), to: packet, section: LDNS_SECTION_AUTHORITY)
            // ldns keeps the OPT record out of the additional list (in the packet's EDNS fields).
            try copy(ldns_pkt_additional(decoded), to: packet, section: LDNS_SECTION_ADDITIONAL)
        }
        return try LDNSPacket.wire(packet, what: "the alias answer for \(name)")
    }

    private static func copy(
        _ list: UnsafeMutablePointer<ldns_rr_list>?, to packet: UnsafeMutablePointer<ldns_pkt>,
        section: ldns_pkt_section
    ) throws(DNSWireError) {
        guard let list else { return }
        for index in 0..<ldns_rr_list_rr_count(list) {
            // The clone belongs to the new packet once pushed; the decoded one is freed with its packet.
            guard let clone = ldns_rr_clone(ldns_rr_list_rr(list, index)) else {
                throw DNSWireError.encodingFailed("a copy of an answer record")
            }
            _ = ldns_pkt_push_rr(packet, section, clone)
        }
    }
}
