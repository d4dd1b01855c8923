import DNSWire
import Testing

@Suite("ldns encoding round trips")
struct RoundTripTests {
    static let owner = try! DNSName("svc.ns.svc.cluster.local")

    static let records: [(RData, String)] = [
        (.a([10, 96, 0, 1]), "A 10.96.0.1"),
        (.aaaa([0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]), "AAAA fd00::1"),
        (.cname(try! DNSName("target.example.com")), "CNAME target.example.com."),
        (.ptr(try! DNSName("svc.ns.svc.cluster.local")), "PTR svc.ns.svc.cluster.local."),
        (.ns(try! DNSName("ns.dns.cluster.local")), "NS ns.dns.cluster.local."),
        (.srv(priority: 0, weight: 33, port: 8080, target: try! DNSName("h.svc.ns.svc.cluster.local")),
         "SRV 0 33 8080 h.svc.ns.svc.cluster.local."),
        (.txt(["1.1.0", "two words"]), "TXT \"1.1.0\" \"two words\""),
        (.hinfo(cpu: "RFC8482", os: ""), "HINFO \"RFC8482\" \"\""),
        (.soa(SOAData(mname: try! DNSName("ns.dns.cluster.local"), rname: try! DNSName("hostmaster.cluster.local"),
                      serial: 7, refresh: 7200, retry: 1800, expire: 86400, minimum: 5)),
         "SOA ns.dns.cluster.local. hostmaster.cluster.local. 7 7200 1800 86400 5"),
        (.text(type: RecordType.mx, presentation: "10 mail.example.com."), "MX 10 mail.example.com."),
    ]

    @Test(arguments: 0..<records.count)
    func encodesAndDecodesEveryType(index: Int) throws {
        let (data, text) = Self.records[index]
        let record = Record(owner: Self.owner, ttl: 5, data: data)
        let wire = try MessageEncoder.response(name: Self.owner, type: data.type, rcode: 0, answer: [record])
        let decoded = try DecodedMessage(wire: wire)
        #expect(decoded.answer == ["svc.ns.svc.cluster.local. 5 IN \(text)"])
        #expect(decoded.qr && decoded.aa && decoded.rcode == 0)
        let layout = try MessageLayout(message: wire)
        #expect(layout.end == wire.count)
        #expect(layout.recordStarts.count == 1)
    }

    @Test func namesAreCompressedAgainstTheQuestion() throws {
        let record = Record(owner: Self.owner, ttl: 5, data: .a([10, 0, 0, 1]))
        let wire = try MessageEncoder.response(name: Self.owner, type: RecordType.a, rcode: 0, answer: [record])
        let layout = try MessageLayout(message: wire)
        // The answer's owner is a pointer to the question name at offset 12.
        #expect(Array(wire[layout.recordStarts[0]..<layout.recordStarts[0] + 2]) == [0xC0, 0x0C])
    }

    @Test func optRecordCarriesOurSize() throws {
        let opt = try MessageEncoder.optRecord(udpSize: 1232)
        #expect(opt == [0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0])
    }

    @Test func queriesParseBackToTheirFields() throws {
        let packet = try QueryEncoder.query(
            name: "Foo.Example.", type: RecordType.srv, id: 77,
            edns: Query.EDNS(udpSize: 4096, version: 0, dnssecOK: true))
        var name = [UInt8](repeating: 0, count: 256)
        let verdict = packet.withUnsafeBytes { raw in
            name.withUnsafeMutableBytes { QueryParser.parse(raw, name: $0) }
        }
        guard case .lookup(let query) = verdict else {
            Issue.record("expected a lookup, got \(verdict)")
            return
        }
        #expect(query.id == 77 && query.type == RecordType.srv && query.qclass == RecordClass.internet)
        #expect(query.edns == Query.EDNS(udpSize: 4096, version: 0, dnssecOK: true))
        #expect(Array(name[..<query.nameLength]) == (try DNSName("foo.example")).wire)
    }
}
