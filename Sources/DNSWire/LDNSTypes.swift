import CLDNS

// ldns's structs are complete in its headers, so Swift imports typed pointers to them.
typealias RDFPointer = UnsafeMutablePointer<ldns_rdf>
typealias RRPointer = UnsafeMutablePointer<ldns_rr>

enum LDNSPacket {
    /// The packet in wire format (ldns compresses names); `what` names it in the error.
    static func wire(_ packet: UnsafeMutablePointer<ldns_pkt>, what: String) throws(DNSWireError) -> [UInt8] {
        var wire: UnsafeMutablePointer<UInt8>?
        var size = 0
        guard ldns_pkt2wire(&wire, packet, &size) == LDNS_STATUS_OK, let wire else {
            throw DNSWireError.encodingFailed(what)
        }
        defer { free(wire) }
        return Array(UnsafeBufferPointer(start: wire, count: size))
    }
}
