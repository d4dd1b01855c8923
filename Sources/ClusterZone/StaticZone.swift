import DNSWire

/// A zone read from a master file, served authoritatively next to the cluster zone.
public struct StaticZone: Sendable, Equatable {
    public var apex: DNSName
    /// SOA first, then the other records.
    public var records: [Record]
    /// Where it came from, for messages.
    public var source: String

    public init(apex: DNSName, records: [Record], source: String) {
        self.apex = apex
        self.records = records
        self.source = source
    }

    /// Reads `path` with ldns; the file name without `.zone` is the default origin.
    public static func load(path: String, origin: DNSName) throws(DNSWireError) -> StaticZone {
        let records = try ZoneFileParser.parse(path: path, origin: origin)
        guard let soa = records.first, soa.type == RecordType.soa else {
            throw DNSWireError.zoneFile(file: path, line: 0, message: "the zone has no SOA record")
        }
        if let stray = records.first(where: { !$0.owner.isSubdomain(of: soa.owner) }) {
            throw DNSWireError.zoneFile(
                file: path, line: 0, message: "\(stray.owner) is outside the zone \(soa.owner)")
        }
        return StaticZone(apex: soa.owner, records: records, source: path)
    }
}
