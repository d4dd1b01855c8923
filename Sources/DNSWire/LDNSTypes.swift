import CLDNS

// ldns's structs are complete in its headers, so Swift imports typed pointers to them.
typealias RDFPointer = UnsafeMutablePointer<ldns_rdf>
typealias RRPointer = UnsafeMutablePointer<ldns_rr>

enum LDNSPacket {
    /// The packet's wire form, names compressed; `what` names it in the error, and is made
    /// only then (a build encodes hundreds of thousands of packets, and spelling each one's
    /// name for nothing cost 5 % of a cold start's CPU). `ldns_pkt2wire` would do the same into a
    /// 64 KB buffer it allocates per call: a whole build at 100,000 services encodes 1.4
    /// million packets, and freeing a chunk that size makes glibc consolidate its free lists
    /// each time.
    static func wire(
        _ packet: UnsafeMutablePointer<ldns_pkt>, what: @autoclosure () -> String
    ) throws(DNSWireError) -> [UInt8] {
        try bytes(what: what()) { ldns_pkt2buffer_wire($0, packet) }
    }

    /// What `write` puts into an ldns buffer that starts at 512 bytes and grows as ldns needs.
    static func bytes(
        what: @autoclosure () -> String, _ write: (UnsafeMutablePointer<ldns_buffer>) -> ldns_status
    ) throws(DNSWireError) -> [UInt8] {
        guard let buffer = ldns_buffer_new(512) else { throw DNSWireError.encodingFailed(what()) }
        defer { ldns_buffer_free(buffer) }
        guard write(buffer) == LDNS_STATUS_OK else { throw DNSWireError.encodingFailed(what()) }
        return Array(UnsafeBufferPointer(start: ldns_buffer_begin(buffer), count: ldns_buffer_position(buffer)))
    }
}
