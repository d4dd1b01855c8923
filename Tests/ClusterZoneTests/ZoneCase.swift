import DNSWire
import Testing

/// One row of the SPEC table: a question and every section of the expected response.
/// Sections compare as sets: multi-record answers rotate (round robin).
struct ZoneCase: CustomTestStringConvertible, Sendable {
    let name: String
    let type: UInt16
    let rcode: Int
    let answer: [String]
    let authority: [String]
    let additional: [String]

    var testDescription: String { "\(name) \(LDNSTypeName.of(type))" }
}

enum LDNSTypeName {
    static func of(_ type: UInt16) -> String {
        [1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 16: "TXT", 28: "AAAA", 33: "SRV", 255: "ANY"][type]
            ?? "TYPE\(type)"
    }
}

let A = RecordType.a
let AAAA = RecordType.aaaa
let SRV = RecordType.srv
let PTR = RecordType.ptr
let CNAME = RecordType.cname
let TXT = RecordType.txt
let NS = RecordType.ns
let SOATYPE = RecordType.soa
let ANY = RecordType.any

/// `x.y` → `x.y.svc.cluster.local.`
func svc(_ name: String) -> String { "\(name).svc.cluster.local." }

func ok(_ name: String, _ type: UInt16, _ answer: [String], additional: [String] = [], authority: [String] = []) -> ZoneCase {
    ZoneCase(name: name, type: type, rcode: 0, answer: answer, authority: authority, additional: additional)
}

func nodata(_ name: String, _ type: UInt16, soa: String = SOA.cluster) -> ZoneCase {
    ZoneCase(name: name, type: type, rcode: 0, answer: [], authority: [soa], additional: [])
}

func nxdomain(_ name: String, _ type: UInt16, soa: String = SOA.cluster) -> ZoneCase {
    ZoneCase(name: name, type: type, rcode: 3, answer: [], authority: [soa], additional: [])
}
