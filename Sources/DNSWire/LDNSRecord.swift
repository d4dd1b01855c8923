import CLDNS

/// Conversions between ``Record`` and ldns's `ldns_rr`. Every ldns object made here is owned
/// by the caller on the calling thread (ldns objects are not `Sendable`).
enum LDNSRecord {
    /// A new `ldns_rr` for `record`; the caller frees it (or hands it to a packet).
    static func make(_ record: Record) throws(DNSWireError) -> RRPointer {
        if case .text(let type, let presentation) = record.data {
            return try parse("\(record.owner) \(record.ttl) IN \(typeName(type)) \(presentation)")
        }
        guard let rr = ldns_rr_new() else { throw DNSWireError.encodingFailed("a record") }
        ldns_rr_set_owner(rr, dname(record.owner))
        ldns_rr_set_type(rr, ldns_rr_type(UInt32(record.type)))
        ldns_rr_set_class(rr, LDNS_RR_CLASS_IN)
        ldns_rr_set_ttl(rr, record.ttl)
        for rdf in rdfs(record.data) {
            guard let rdf else {
                ldns_rr_free(rr)
                throw DNSWireError.encodingFailed("the data of \(record.owner)")
            }
            _ = ldns_rr_push_rdf(rr, rdf)
        }
        return rr
    }

    /// A question entry (owner, type, class IN, no TTL or data).
    static func question(_ name: DNSName, type: UInt16) -> RRPointer? {
        guard let rr = ldns_rr_new() else { return nil }
        ldns_rr_set_owner(rr, dname(name))
        ldns_rr_set_type(rr, ldns_rr_type(UInt32(type)))
        ldns_rr_set_class(rr, LDNS_RR_CLASS_IN)
        ldns_rr_set_question(rr, true)
        return rr
    }

    static func parse(_ text: String) throws(DNSWireError) -> RRPointer {
        var rr: RRPointer?
        let status = ldns_rr_new_frm_str(&rr, text, 0, nil, nil)
        guard status == LDNS_STATUS_OK, let rr else {
            throw DNSWireError.invalidRecord("\(text) (\(String(cString: ldns_get_errorstr_by_id(status))))")
        }
        return rr
    }

    static func dname(_ name: DNSName) -> RDFPointer? {
        name.wire.withUnsafeBytes { ldns_dname_new_frm_data(UInt16(name.wire.count), $0.baseAddress) }
    }

    static func typeName(_ type: UInt16) -> String {
        guard let text = ldns_rr_type2str(ldns_rr_type(UInt32(type))) else { return "TYPE\(type)" }
        defer { free(text) }
        return String(cString: text)
    }

    private static func rdfs(_ data: RData) -> [RDFPointer?] {
        switch data {
        case .a(let bytes): return [raw(LDNS_RDF_TYPE_A, bytes)]
        case .aaaa(let bytes): return [raw(LDNS_RDF_TYPE_AAAA, bytes)]
        case .cname(let name), .ptr(let name), .ns(let name): return [dname(name)]
        case .srv(let priority, let weight, let port, let target):
            return [
                ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16, priority),
                ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16, weight),
                ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16, port),
                dname(target),
            ]
        case .txt(let strings): return strings.map(characterString)
        case .hinfo(let cpu, let os): return [characterString(cpu), characterString(os)]
        case .soa(let soa):
            return [
                dname(soa.mname), dname(soa.rname),
                ldns_native2rdf_int32(LDNS_RDF_TYPE_INT32, soa.serial),
                ldns_native2rdf_int32(LDNS_RDF_TYPE_PERIOD, soa.refresh),
                ldns_native2rdf_int32(LDNS_RDF_TYPE_PERIOD, soa.retry),
                ldns_native2rdf_int32(LDNS_RDF_TYPE_PERIOD, soa.expire),
                ldns_native2rdf_int32(LDNS_RDF_TYPE_PERIOD, soa.minimum),
            ]
        case .text: return []
        }
    }

    private static func raw(_ type: ldns_rdf_type, _ bytes: [UInt8]) -> RDFPointer? {
        bytes.withUnsafeBytes { ldns_rdf_new_frm_data(type, bytes.count, $0.baseAddress) }
    }

    private static func raw(_ type: ldns_rdf_type, _ bytes: AddressBytes) -> RDFPointer? {
        bytes.withUnsafeBytes { ldns_rdf_new_frm_data(type, $0.count, $0.baseAddress) }
    }

    /// A `<character-string>`: one length octet and up to 255 octets.
    private static func characterString(_ text: String) -> RDFPointer? {
        let bytes = Array(text.utf8.prefix(255))
        return raw(LDNS_RDF_TYPE_STR, [UInt8(bytes.count)] + bytes)
    }
}
