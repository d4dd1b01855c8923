import CLDNS

// ldns's structs are complete in its headers, so Swift imports typed pointers to them.
typealias RDFPointer = UnsafeMutablePointer<ldns_rdf>
typealias RRPointer = UnsafeMutablePointer<ldns_rr>
