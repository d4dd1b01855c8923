import CLDNS

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// RFC 1035 master files, read by ldns.
public enum ZoneFileParser {
    /// The records of the zone file at `path` (SOA first). `origin` is the default `$ORIGIN`.
    /// Errors name the file and the line ldns stopped at.
    public static func parse(path: String, origin: DNSName, defaultTTL: UInt32 = 3600) throws(DNSWireError) -> [Record] {
        guard let file = fopen(path, "r") else {
            throw DNSWireError.zoneFile(file: path, line: 0, message: String(cString: strerror(errno)))
        }
        defer { fclose(file) }
        var zone: UnsafeMutablePointer<ldns_zone>?
        var line: Int32 = 0
        let originRDF = LDNSRecord.dname(origin)
        defer { ldns_rdf_deep_free(originRDF) }
        let status = ldns_zone_new_frm_fp_l(&zone, file, originRDF, defaultTTL, LDNS_RR_CLASS_IN, &line)
        guard status == LDNS_STATUS_OK, let zone else {
            throw DNSWireError.zoneFile(
                file: path, line: Int(line), message: String(cString: ldns_get_errorstr_by_id(status)))
        }
        defer { ldns_zone_deep_free(zone) }
        var records: [Record] = []
        if let soa = ldns_zone_soa(zone) {
            records.append(record(soa))
        }
        let list = ldns_zone_rrs(zone)
        for index in 0..<ldns_rr_list_rr_count(list) {
            records.append(record(ldns_rr_list_rr(list, index)))
        }
        return records
    }

    private static func record(_ rr: RRPointer?) -> Record {
        let owner = DNSName(rdf: ldns_rr_owner(rr)!)
        let type = UInt16(ldns_rr_get_type(rr).rawValue)
        let ttl = ldns_rr_ttl(rr)
        if type == RecordType.cname, let target = ldns_rr_rdf(rr, 0) {
            return Record(owner: owner, ttl: ttl, data: .cname(DNSName(rdf: target)))
        }
        var fields: [String] = []
        for index in 0..<ldns_rr_rd_count(rr) {
            guard let text = ldns_rdf2str(ldns_rr_rdf(rr, index)) else { continue }
            fields.append(String(cString: text))
            free(text)
        }
        return Record(owner: owner, ttl: ttl, data: .text(type: type, presentation: fields.joined(separator: " ")))
    }
}
