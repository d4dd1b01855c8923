import DNSWire
import Testing

@Suite("Protocol rules: SPEC.md section 6")
struct ProtocolTests {
    /// Each test gets its own responder: it keeps per-loop state (the round-robin counter).
    let zone = try! TestZone()
    static let name = "product-service.ecommerce.svc.cluster.local"

    func query(_ edit: (inout [UInt8]) -> Void) throws -> [UInt8] {
        var packet = try QueryEncoder.query(name: Self.name, type: A)
        edit(&packet)
        return packet
    }

    @Test func responsesAndShortPacketsGetNoAnswer() throws {
        #expect(try zone.send(query { $0[2] |= 0x80 }) == nil)
        #expect(try zone.send([0x12, 0x34, 0x01]) == nil)
        #expect(try zone.send(Array(try query { _ in }.prefix(11))) == nil)
    }

    @Test func otherOpcodesAreNOTIMP() throws {
        let response = try #require(try zone.send(query { $0[2] |= 0x10 }))  // opcode 2, STATUS
        #expect(response.rcode == 4 && response.opcode == 2 && !response.aa)
    }

    @Test(arguments: [0, 2])
    func questionCountOtherThanOneIsFORMERR(count: UInt8) throws {
        let response = try #require(try zone.send(query { $0[5] = count }))
        #expect(response.rcode == 1)
        #expect(response.question.isEmpty && response.answer.isEmpty)
    }

    @Test func otherClassesAreREFUSED() throws {
        let chaos = try #require(try zone.ask(Self.name, A, qclass: 3))
        #expect(chaos.rcode == 5 && chaos.answer.isEmpty)
        let any = try #require(try zone.ask(Self.name, A, qclass: RecordClass.any))
        #expect(any.rcode == 0 && any.answer.count == 1)
    }

    @Test(arguments: [RecordType.axfr, RecordType.ixfr])
    func zoneTransfersAreREFUSED(type: UInt16) throws {
        #expect(try zone.ask("cluster.local", type, over: .tcp)?.rcode == 5)
    }

    @Test func ednsVersionAboveZeroIsBADVERS() throws {
        let response = try #require(try zone.ask(Self.name, A, edns: .init(udpSize: 1232, version: 1, dnssecOK: false)))
        #expect(response.rcode == 16)
        #expect(response.edns?.version == 0)
        #expect(response.answer.isEmpty)
    }

    @Test func namesOutsideEveryZoneAreREFUSEDWithoutForwarding() throws {
        let response = try #require(try zone.ask("example.com", A))
        #expect(response.rcode == 5 && !response.aa)
    }

    @Test func compressionPointerInTheQuestionIsFORMERR() throws {
        // Header + a name that is only a pointer to itself (offset 12): a loop.
        let packet: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1]
        #expect(try zone.send(packet)?.rcode == 1)
    }

    @Test func labelsOver63AndNamesOver255AreFORMERR() throws {
        var long: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 64] + Array(repeating: 0x61, count: 64) + [0, 0, 1, 0, 1]
        #expect(try zone.send(long)?.rcode == 1)
        long = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
        for _ in 0..<5 { long += [63] + Array(repeating: 0x61, count: 63) }
        long += [0, 0, 1, 0, 1]
        #expect(try zone.send(long)?.rcode == 1)
    }

    @Test func aQuestionCutShortIsFORMERR() throws {
        let packet = try query { _ in }
        #expect(try zone.send(Array(packet.prefix(packet.count - 2)))?.rcode == 1)
        #expect(try zone.send(Array(packet.prefix(20)))?.rcode == 1)
    }

    @Test func randomPacketsNeverCrashTheResponder() throws {
        var generator = SplitMix(seed: 2026)
        let seed = try query { _ in }
        for round in 0..<20_000 {
            var packet = round % 2 == 0
                ? (0..<Int(generator.next() % 80)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                : seed
            if round % 2 == 1 {
                for _ in 0..<3 { packet[Int(generator.next() % UInt64(packet.count))] = UInt8(truncatingIfNeeded: generator.next()) }
            }
            if let response = try? zone.send(packet) {
                #expect(response.qr)
            }
        }
    }
}

/// A small deterministic generator, so a failing input can be reproduced.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
