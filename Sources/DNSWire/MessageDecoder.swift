import CLDNS

/// A message decoded by ldns into presentation text: what `dig` would show. Used by tests and
/// by tools that print answers; the query path never decodes with ldns.
public struct DecodedMessage: Sendable, Equatable {
    public var id: UInt16
    /// The full RCODE, extended bits from the OPT record included (BADVERS = 16).
    public var rcode: Int
    public var opcode: Int
    public var qr, aa, tc, rd, ra, cd: Bool
    public var question: [String]
    public var answer: [String]
    public var authority: [String]
    /// Additional records other than OPT.
    public var additional: [String]
    public var edns: Query.EDNS?
    public var size: Int

    public init(wire: [UInt8]) throws(DNSWireError) {
        var packet: UnsafeMutablePointer<ldns_pkt>?
        let status = wire.withUnsafeBytes { ldns_wire2pkt(&packet, $0.baseAddress, wire.count) }
        guard status == LDNS_STATUS_OK, let packet else {
            throw DNSWireError.invalidRecord("undecodable message: \(String(cString: ldns_get_errorstr_by_id(status)))")
        }
        defer { ldns_pkt_free(packet) }
        id = ldns_pkt_id(packet)
        opcode = Int(ldns_pkt_get_opcode(packet).rawValue)
        qr = ldns_pkt_qr(packet)
        aa = ldns_pkt_aa(packet)
        tc = ldns_pkt_tc(packet)
        rd = ldns_pkt_rd(packet)
        ra = ldns_pkt_ra(packet)
        cd = ldns_pkt_cd(packet)
        question = Self.texts(ldns_pkt_question(packet))
        answer = Self.texts(ldns_pkt_answer(packet))
        authority = Self.texts(ldns_pkt_authority(packet))
        additional = Self.texts(ldns_pkt_additional(packet))
        rcode = Int(ldns_pkt_get_rcode(packet).rawValue)
        size = wire.count
        if ldns_pkt_edns(packet) {
            rcode |= Int(ldns_pkt_edns_extended_rcode(packet)) << 4
            edns = Query.EDNS(
                udpSize: ldns_pkt_edns_udp_size(packet), version: ldns_pkt_edns_version(packet),
                dnssecOK: ldns_pkt_edns_do(packet))
        }
    }

    /// One line per record, fields separated by single spaces: `a.b. 5 IN A 10.0.0.1`.
    private static func texts(_ list: UnsafeMutablePointer<ldns_rr_list>?) -> [String] {
        guard let list else { return [] }
        return (0..<ldns_rr_list_rr_count(list)).compactMap { index in
            guard let text = ldns_rr2str(ldns_rr_list_rr(list, index)) else { return nil }
            defer { free(text) }
            return String(cString: text).split(whereSeparator: { $0 == "\t" || $0 == " " || $0 == "\n" })
                .joined(separator: " ")
        }
    }
}

/// Builds query packets with ldns, for tests and tools.
public enum QueryEncoder {
    public static func query(
        name: String, type: UInt16, id: UInt16 = 0x1234, recursionDesired: Bool = true,
        edns: Query.EDNS? = nil, qclass: UInt16 = RecordClass.internet
    ) throws(DNSWireError) -> [UInt8] {
        var rdf: RDFPointer?
        let absolute = name.hasSuffix(".") ? name : name + "."
        guard ldns_str2rdf_dname(&rdf, absolute) == LDNS_STATUS_OK, let rdf else {
            throw DNSWireError.invalidName(name)
        }
        guard let packet = ldns_pkt_new(), let question = ldns_rr_new() else {
            ldns_rdf_deep_free(rdf)
            throw DNSWireError.encodingFailed("a query")
        }
        defer { ldns_pkt_free(packet) }
        // The owner keeps the caller's spelling: case echo is tested with these packets.
        ldns_rr_set_owner(question, rdf)
        ldns_rr_set_type(question, ldns_rr_type(UInt32(type)))
        ldns_rr_set_class(question, ldns_rr_class(UInt32(qclass)))
        ldns_rr_set_question(question, true)
        _ = ldns_pkt_push_rr(packet, LDNS_SECTION_QUESTION, question)
        ldns_pkt_set_id(packet, id)
        ldns_pkt_set_rd(packet, recursionDesired)
        if let edns {
            ldns_pkt_set_edns_udp_size(packet, edns.udpSize)
            ldns_pkt_set_edns_version(packet, edns.version)
            ldns_pkt_set_edns_do(packet, edns.dnssecOK)
            // ldns writes an OPT record only when some EDNS field is non-default.
            if edns.udpSize == 0 { ldns_pkt_set_edns_udp_size(packet, 512) }
        }
        return try LDNSPacket.wire(packet, what: "a query for \(name)")
    }
}
