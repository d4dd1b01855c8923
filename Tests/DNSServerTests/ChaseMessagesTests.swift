import DNSWire
import NIOCore
import Testing

@testable import DNSServer

@Suite("Chased answers: aliases joined to the upstream's records")
struct ChaseMessagesTests {
    static let asked = try! QueryEncoder.query(name: "Www.Example.COM.ecommerce.svc.cluster.local", type: RecordType.a, id: 0x0A0B)
    static var askedQuestion: [UInt8] { Array(asked[12...]) }
    /// Where the replies would go; these tests only build them.
    static let socket = try! DatagramSocket(binding: SocketAddress(ipAddress: "127.0.0.1", port: 0), receiveBuffer: 1 << 16)

    func client(edns: Query.EDNS? = nil) throws -> ClientQuery {
        let target = AnswerCacheTests.name.wire + [0, 1, 0, 1]
        var client = ClientQuery(
            id: 0x0A0B, flags: 0x0100, edns: edns, question: target,
            reply: .udp(Self.socket, try SocketAddress(ipAddress: "127.0.0.1", port: 5353)))
        let alias = Record(
            owner: try DNSName("www.example.com.ecommerce.svc.cluster.local"), ttl: 5,
            data: .cname(AnswerCacheTests.name))
        client.chase = ChaseReply(
            askedQuestion: Self.askedQuestion, aliases: [alias], fallback: [9, 9, 9], keepsFallbackAnswers: false,
            isAutopath: true)
        return client
    }

    func upstream(rcode: UInt8 = 0) throws -> UpstreamAnswer {
        let records = rcode == 0 ? [Record(owner: AnswerCacheTests.name, ttl: 300, data: .a([192, 0, 2, 1]))] : []
        let authority = rcode == 0 ? [] : [AnswerCacheTests.soa(ttl: 60, minimum: 60)]
        let bytes = try AnswerCacheTests.response(to: AnswerCacheTests.sent, rcode: rcode, answer: records, authority: authority)
        return try #require(UpstreamAnswer(
            bytes, answering: AnswerCacheTests.sent, sentQuestionEnd: AnswerCacheTests.sentQuestionEnd, maxTTL: 3600))
    }

    @Test func theAliasComesFirstForTheAskedNameAsSpelled() throws {
        let client = try client(edns: .init(udpSize: 4096, version: 0, dnssecOK: false))
        let opt = try MessageEncoder.optRecord(udpSize: 1232)
        let message = try #require(try ChaseMessages.reply(
            try upstream(), age: 100, to: client, chase: client.chase!, opt: opt, limit: 1232))
        let decoded = try DecodedMessage(wire: message)
        #expect(decoded.id == 0x0A0B && decoded.rcode == 0 && decoded.ra && !decoded.aa && decoded.rd && !decoded.tc)
        #expect(decoded.question.first?.hasPrefix("Www.Example.COM.ecommerce.svc.cluster.local.") == true)
        #expect(decoded.answer == [
            "Www.Example.COM.ecommerce.svc.cluster.local. 5 IN CNAME www.example.com.",
            "www.example.com. 200 IN A 192.0.2.1",
        ])
        #expect(decoded.edns?.udpSize == 1232)
    }

    @Test func nothingUpstreamMeansTheFallback() throws {
        let client = try client()
        #expect(try ChaseMessages.reply(try upstream(rcode: 3), age: 0, to: client, chase: client.chase!, opt: [], limit: 512) == nil)
    }

    @Test func tooBigForTheClientIsTheTruncatedQuestion() throws {
        let client = try client()
        let opt = try MessageEncoder.optRecord(udpSize: 1232)
        let message = try #require(try ChaseMessages.reply(try upstream(), age: 0, to: client, chase: client.chase!, opt: opt, limit: 60))
        let decoded = try DecodedMessage(wire: message)
        #expect(decoded.tc && decoded.answer.isEmpty && decoded.id == 0x0A0B)
        #expect(decoded.question.first?.hasPrefix("Www.Example.COM.ecommerce.svc.cluster.local.") == true)
    }
}
