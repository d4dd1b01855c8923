import DNSWire
import NIOCore
import NIOEmbedded
import Testing

@testable import DNSServer

@Suite("Upstream answers and the cache")
struct AnswerCacheTests {
    static let name = try! DNSName("www.example.com")

    /// An upstream's answer to our query `sent`, made with ldns, with an OPT appended.
    static func response(
        to sent: [UInt8], rcode: UInt8 = 0, answer: [Record] = [], authority: [Record] = [], opt: Bool = true
    ) throws -> [UInt8] {
        var message = try MessageEncoder.response(
            name: name, type: RecordType.a, rcode: rcode, authoritative: false, answer: answer, authority: authority)
        message[0] = sent[0]
        message[1] = sent[1]
        if opt {
            var record = try MessageEncoder.optRecord(udpSize: 4096)
            record[5] = 0  // extended RCODE bits
            message += record
            message[11] += 1
        }
        return message
    }

    static let sent = try! QueryEncoder.query(name: "www.example.com", type: RecordType.a, id: 0xBEEF)
    static var sentQuestionEnd: Int { 12 + name.wire.count + 4 }

    static func soa(ttl: UInt32, minimum: UInt32) -> Record {
        let data = SOAData(
            mname: try! DNSName("ns.example.com"), rname: try! DNSName("h.example.com"), serial: 1, refresh: 1,
            retry: 1, expire: 1, minimum: minimum)
        return Record(owner: try! DNSName("example.com"), ttl: ttl, data: .soa(data))
    }

    func parse(_ bytes: [UInt8], maxTTL: UInt32 = 3600) -> UpstreamAnswer? {
        UpstreamAnswer(bytes, answering: Self.sent, sentQuestionEnd: Self.sentQuestionEnd, maxTTL: maxTTL)
    }

    @Test func positiveAnswersLoseTheirOPTAndLiveAsLongAsTheSmallestTTL() throws {
        let records = [
            Record(owner: Self.name, ttl: 300, data: .a([192, 0, 2, 1])),
            Record(owner: Self.name, ttl: 60, data: .a([192, 0, 2, 2])),
        ]
        let answer = try #require(parse(try Self.response(to: Self.sent, answer: records)))
        #expect(answer.cacheTTL == 60 && answer.rcode == 0 && !answer.truncated)
        let decoded = try DecodedMessage(wire: answer.message)
        #expect(decoded.edns == nil && decoded.additional.isEmpty)
        #expect(decoded.answer.allSatisfy { $0.contains(" 60 IN A ") })
        #expect(parse(try Self.response(to: Self.sent, answer: records), maxTTL: 10)?.cacheTTL == 10)
    }

    @Test(arguments: [(UInt8(3), UInt32(300), UInt32(30), UInt32(30)), (0, 20, 3600, 20)])
    func negativeAnswersLiveForTheSOAMinimumOrItsTTL(rcode: UInt8, ttl: UInt32, minimum: UInt32, expected: UInt32) throws {
        let bytes = try Self.response(to: Self.sent, rcode: rcode, authority: [Self.soa(ttl: ttl, minimum: minimum)])
        #expect(parse(bytes)?.cacheTTL == expected)
    }

    @Test func negativeAnswersWithoutSOAAndFailuresAreNotCached() throws {
        #expect(parse(try Self.response(to: Self.sent, rcode: 3))?.cacheTTL == nil)
        #expect(parse(try Self.response(to: Self.sent, rcode: 2))?.cacheTTL == nil)
    }

    @Test func answersToAnotherQueryAreRejected() throws {
        var wrongID = try Self.response(to: Self.sent)
        wrongID[1] ^= 1
        #expect(parse(wrongID) == nil)
        var notResponse = try Self.response(to: Self.sent)
        notResponse[2] &= 0x7F
        #expect(parse(notResponse) == nil)
        var otherName = try Self.response(to: Self.sent)
        otherName[13] = UInt8(ascii: "x")
        #expect(parse(otherName) == nil)
        var upperCase = try Self.response(to: Self.sent)
        upperCase[13] = UInt8(ascii: "W")
        #expect(parse(upperCase) != nil)
        #expect(parse(Array(try Self.response(to: Self.sent).prefix(20))) == nil)
    }

    @Test func mangledUpstreamAnswersNeverCrashTheReader() throws {
        let records = [Record(owner: Self.name, ttl: 300, data: .a([192, 0, 2, 1]))]
        let seed = try Self.response(to: Self.sent, answer: records, authority: [Self.soa(ttl: 60, minimum: 5)])
        var state: UInt64 = 2026
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(truncatingIfNeeded: state >> 33)
        }
        let opt = try MessageEncoder.optRecord(udpSize: 1232)
        let client = ClientQuery(
            id: 1, flags: 0x0100, edns: Query.EDNS(udpSize: 4096, version: 0, dnssecOK: false),
            question: Array(Self.sent[12..<Self.sentQuestionEnd]), reply: .tcp(EmbeddedChannel()))
        var accepted = 0
        for _ in 0..<20_000 {
            var bytes = seed
            for _ in 0..<(1 + next() % 4) {
                // Past the question, so that some mangled answers still match and get parsed deeper.
                let index = Self.sentQuestionEnd + next() % (bytes.count - Self.sentQuestionEnd)
                bytes[index] = UInt8(truncatingIfNeeded: next())
            }
            if next() % 4 == 0 { bytes = Array(bytes.prefix(next() % bytes.count)) }
            if let answer = parse(bytes) {
                accepted += 1
                #expect(answer.message.count <= bytes.count)
                #expect(answer.ttlOffsets.allSatisfy { $0 + 4 <= answer.message.count })
                let reply = ForwardMessages.reply(answer, age: 7, to: client, opt: opt, limit: 1232)
                #expect(reply.count <= 1232)
            }
        }
        #expect(accepted > 0)
    }

    @Test func entriesExpireAndTheClockEvictsUnreferencedOnesFirst() throws {
        let answer = try #require(parse(try Self.response(to: Self.sent, answer: [
            Record(owner: Self.name, ttl: 300, data: .a([192, 0, 2, 1])),
        ])))
        let cache = AnswerCache(capacity: 2)
        let start = NIODeadline.uptimeNanoseconds(1_000_000_000_000)
        func key(_ n: UInt8) -> AnswerCache.Key { .init(name: [1, n, 0], type: 1, qclass: 1, dnssec: 0) }
        cache.insert(key(1), answer: answer, ttl: 5, now: start)
        cache.insert(key(2), answer: answer, ttl: 300, now: start)
        #expect(cache.lookup(key(2), now: start + .seconds(3))?.age == 3)
        // key 1 is unreferenced, key 2 was just hit: key 3 takes key 1's place.
        cache.insert(key(3), answer: answer, ttl: 300, now: start + .seconds(3))
        #expect(cache.lookup(key(1), now: start + .seconds(3)) == nil)
        #expect(cache.lookup(key(2), now: start + .seconds(3)) != nil)
        #expect(cache.evictions == 1 && cache.count == 2)
        #expect(cache.lookup(key(3), now: start + .seconds(303)) == nil)
        #expect(cache.hits == 2 && cache.misses == 2)
    }

    @Test func repliesRestoreTheClientAndTruncateWhatDoesNotFit() throws {
        let records = (1...40).map { Record(owner: Self.name, ttl: 300, data: .a([192, 0, 2, UInt8($0)])) }
        let answer = try #require(parse(try Self.response(to: Self.sent, answer: records)))
        let opt = try MessageEncoder.optRecord(udpSize: 1232)
        let spelled = try QueryEncoder.query(name: "WWW.example.COM", type: RecordType.a, id: 7)
        var client = ClientQuery(
            id: 7, flags: 0x0100, edns: nil, question: Array(spelled[12..<Self.sentQuestionEnd]),
            reply: .tcp(EmbeddedChannel()))
        let full = try DecodedMessage(wire: ForwardMessages.reply(answer, age: 100, to: client, opt: opt, limit: 65535))
        #expect(full.id == 7 && full.ra && !full.aa && full.rd && !full.tc && full.answer.count == 40)
        #expect(full.answer.allSatisfy { $0.hasPrefix("WWW.example.COM. 200 IN A") })
        client.edns = Query.EDNS(udpSize: 512, version: 0, dnssecOK: true)
        let stub = try DecodedMessage(wire: ForwardMessages.reply(answer, age: 0, to: client, opt: opt, limit: 512))
        #expect(stub.tc && stub.answer.isEmpty && stub.edns?.udpSize == 1232 && stub.edns?.dnssecOK == true)
    }
}
