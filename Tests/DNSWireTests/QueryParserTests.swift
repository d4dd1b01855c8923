import DNSWire
import Testing

@Suite("Query parser on hostile packets")
struct QueryParserTests {
    func verdict(_ packet: [UInt8]) -> QueryVerdict {
        var name = [UInt8](repeating: 0, count: 256)
        return packet.withUnsafeBytes { raw in name.withUnsafeMutableBytes { QueryParser.parse(raw, name: $0) } }
    }

    func rcode(_ packet: [UInt8]) -> UInt16? {
        if case .reject(let rcode, _) = verdict(packet) { return rcode }
        return nil
    }

    static let header: [UInt8] = [0xAB, 0xCD, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]

    @Test(arguments: 0..<12)
    func truncatedHeadersAreDropped(length: Int) {
        #expect(verdict(Array(Self.header.prefix(length))) == .drop)
    }

    @Test func pointerLoopsAreFORMERR() {
        #expect(rcode(Self.header + [0xC0, 0x0C, 0, 1, 0, 1]) == 1)
        #expect(rcode(Self.header + [1, 0x61, 0xC0, 0x0E, 0, 1, 0, 1]) == 1)
    }

    @Test func reservedLabelTypesAreFORMERR() {
        #expect(rcode(Self.header + [0x40, 0x61, 0, 0, 1, 0, 1]) == 1)
        #expect(rcode(Self.header + [0x80, 0x61, 0, 0, 1, 0, 1]) == 1)
    }

    @Test func nameExactly255OctetsIsAcceptedAnd256IsNot() {
        // 3 x 63-octet labels (192) + one 61-octet label (62) + root = 255.
        var name: [UInt8] = []
        for _ in 0..<3 { name += [63] + Array(repeating: 0x61, count: 63) }
        let ok = name + [61] + Array(repeating: 0x62, count: 61) + [0]
        let tooLong = name + [62] + Array(repeating: 0x62, count: 62) + [0]
        if case .lookup(let query) = verdict(Self.header + ok + [0, 1, 0, 1]) {
            #expect(query.nameLength == 255)
        } else {
            Issue.record("a 255-octet name must be accepted")
        }
        #expect(rcode(Self.header + tooLong + [0, 1, 0, 1]) == 1)
    }

    @Test func unterminatedNamesAreFORMERR() {
        #expect(rcode(Self.header + [3, 0x61, 0x62]) == 1)
        #expect(rcode(Self.header + [3, 0x61, 0x62, 0x63, 0, 0]) == 1)
    }

    @Test func recordsAfterTheQuestionMustBeWhole() {
        var packet = Self.header + [1, 0x61, 0, 0, 1, 0, 1]
        packet[11] = 1  // ARCOUNT 1, but no record follows
        #expect(rcode(packet) == 1)
        packet += [0, 0, 41, 4, 0, 0, 0, 0, 0, 0, 5]  // OPT claiming 5 bytes of options it lacks
        #expect(rcode(packet) == 1)
    }

    @Test func twoOPTRecordsAreFORMERR() {
        var packet = Self.header + [1, 0x61, 0, 0, 1, 0, 1]
        packet[11] = 2
        let opt: [UInt8] = [0, 0, 41, 4, 0, 0, 0, 0, 0, 0, 0]
        #expect(rcode(packet + opt + opt) == 1)
        packet[11] = 1
        guard case .lookup(let query) = verdict(packet + opt) else {
            Issue.record("one OPT is fine")
            return
        }
        #expect(query.edns?.udpSize == 1024)
    }

    @Test func responsesAreDroppedAndOtherOpcodesNOTIMP() {
        var response = Self.header + [1, 0x61, 0, 0, 1, 0, 1]
        response[2] |= 0x80
        #expect(verdict(response) == .drop)
        var notify = Self.header + [1, 0x61, 0, 0, 6, 0, 1]
        notify[2] = 0x20  // opcode 4, NOTIFY
        #expect(rcode(notify) == 4)
    }
}
