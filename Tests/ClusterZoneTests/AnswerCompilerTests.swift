import DNSWire
import Testing
@testable import ClusterZone

@Suite("Answer compiler")
struct AnswerCompilerTests {
    /// Lone address answers are copied from one ldns encoding per type and TTL with their own
    /// address put in: every one must be byte for byte what ldns makes of it.
    @Test func loneAddressAnswersAreWhatLdnsEncodes() throws {
        let v6: AddressBytes = [0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34]
        let cases: [(String, UInt32, RData)] = [
            ("web.prod.svc.cluster.local", 5, .a([10, 96, 0, 1])),
            ("db.prod.svc.cluster.local", 5, .a([10, 96, 200, 7])),
            ("Mixed-Case.A.B", 5, .a([192, 0, 2, 255])),
            ("ttl.prod.svc.cluster.local", 3600, .a([10, 96, 0, 9])),
            ("web.prod.svc.cluster.local", 5, .aaaa(v6)),
            ("x.y", 0, .aaaa([0x20, 1, 0x0D, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])),
            ("web.prod.svc.cluster.local", 5, .a([10, 96, 0, 3])),
        ]
        var compiler = AnswerCompiler()
        for (text, ttl, data) in cases {
            let name = try DNSName(text)
            let record = Record(owner: name, ttl: ttl, data: data)
            let index = try compiler.compile(name: name, type: record.type, answer: [record])
            let answer = compiler.answers[index]
            let start = Int(answer.bodyStart)
            let body = Array(compiler.bytes[start..<(start + Int(answer.whole.bodyLength))])
            #expect(body == (try AnswerCompiler.body(name: name, type: record.type, record: record)), "\(text) \(data)")
            #expect(answer.whole.answerCount == 1 && answer.cutCount == 0 && answer.rotateCount == 0)
        }
    }

    /// An address record under another name than the question's is not a lone answer's
    /// template case: ldns encodes it whole (its owner is not a pointer to the question).
    @Test func anAddressUnderAnotherOwnerIsEncodedWhole() throws {
        let question = try DNSName("alias.prod.svc.cluster.local")
        let record = Record(owner: try DNSName("target.prod.svc.cluster.local"), ttl: 5, data: .a([10, 96, 0, 4]))
        var compiler = AnswerCompiler()
        let index = try compiler.compile(name: question, type: RecordType.a, answer: [record])
        let answer = compiler.answers[index]
        let body = Array(compiler.bytes[Int(answer.bodyStart)..<Int(answer.bodyStart + answer.whole.bodyLength)])
        #expect(body == (try AnswerCompiler.body(name: question, type: RecordType.a, record: record)))
        #expect(body.count > 16)
    }

    /// Lone PTR and CNAME answers whose target ends in another top-level label than the
    /// question go the same way, their target written after ldns's fixed fields: every one
    /// must be byte for byte what ldns makes of it, and so must those whose target ldns could
    /// compress against the question (encoded whole).
    @Test func lonePTRAndCNAMEAnswersAreWhatLdnsEncodes() throws {
        let cases: [(question: String, ttl: UInt32, data: RData, templated: Bool)] = [
            ("1.0.96.10.in-addr.arpa", 5, .ptr(try DNSName("web.prod.svc.cluster.local")), true),
            ("7.200.96.10.in-addr.arpa", 5, .ptr(try DNSName("a-much-longer-service-name.some-namespace.svc.cluster.local")), true),
            ("9.0.96.10.IN-ADDR.arpa", 30, .ptr(try DNSName("Mixed.Case.svc.cluster.local")), true),
            ("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa", 5,
             .ptr(try DNSName("web.prod.svc.cluster.local")), true),
            ("db.prod.svc.cluster.local", 5, .cname(try DNSName("db.example.com")), true),
            ("db.prod.svc.cluster.local", 3600, .cname(try DNSName("x.example.org")), true),
            // Ends in the question's own top-level label: ldns may point into the question.
            ("alias.prod.svc.cluster.local", 5, .cname(try DNSName("web.prod.svc.cluster.local")), false),
            ("2.0.96.10.in-addr.arpa", 5, .ptr(try DNSName("host.in-addr.arpa")), false),
            ("3.0.96.10.in-addr.arpa", 5, .ptr(.root), false),
        ]
        var compiler = AnswerCompiler()
        for (text, ttl, data, templated) in cases {
            let name = try DNSName(text)
            let record = Record(owner: name, ttl: ttl, data: data)
            #expect((LoneRecord(target: record, question: name) != nil) == templated, "\(text) \(data)")
            for type in record.type == RecordType.cname ? [RecordType.cname, RecordType.a] : [record.type] {
                let index = try compiler.compile(name: name, type: type, answer: [record])
                let answer = compiler.answers[index]
                let start = Int(answer.bodyStart)
                let body = Array(compiler.bytes[start..<(start + Int(answer.whole.bodyLength))])
                #expect(body == (try AnswerCompiler.body(name: name, type: type, record: record)), "\(text) \(data)")
                #expect(answer.whole.answerCount == 1 && answer.cutCount == 0 && answer.rotateCount == 0)
            }
        }
    }

    /// A lone SRV with its target's address is written by ``LoneService`` once ldns made the
    /// same bytes for the first of its shape: every one must be what ldns makes of it, cuts
    /// included (a UDP reply too small for the additional record drops it).
    @Test func loneServiceAnswersAreWhatLdnsEncodes() throws {
        let v6: AddressBytes = [0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34]
        let cases: [(owner: String, port: UInt16, target: String, address: RData, lone: Bool)] = [
            ("_http._tcp.web.prod.svc.cluster.local", 80, "web.prod.svc.cluster.local", .a([10, 96, 0, 1]), true),
            ("_metrics._tcp.a-longer-name.other-namespace.svc.cluster.local", 9100,
             "a-longer-name.other-namespace.svc.cluster.local", .a([10, 96, 3, 4]), true),
            ("_dns._udp.KUBE-DNS.kube-system.svc.cluster.local", 53, "kube-dns.kube-system.svc.cluster.local",
             .a([10, 96, 0, 10]), true),
            ("_grpc._tcp.api.prod.svc.cluster.local", 8443, "api.prod.svc.cluster.local", .aaaa(v6), true),
            ("_grpc._tcp.api2.prod.svc.cluster.local", 8443, "api2.prod.svc.cluster.local", .aaaa(v6), true),
            // A headless service's endpoint: its target is not in the question's name.
            ("_http._tcp.db.prod.svc.cluster.local", 5432, "db-0.db.prod.svc.cluster.local", .a([10, 244, 0, 7]), false),
        ]
        var compiler = AnswerCompiler()
        for (owner, port, targetText, address, lone) in cases {
            let name = try DNSName(owner)
            let target = try DNSName(targetText)
            let answer = [Record(owner: name, ttl: 5, data: .srv(priority: 0, weight: 100, port: port, target: target))]
            let additional = [Record(owner: target, ttl: 5, data: address)]
            #expect((LoneService(name: name, type: RecordType.srv, answer: answer, authority: [], additional: additional) != nil) == lone)
            let index = try compiler.compile(name: name, type: RecordType.srv, answer: answer, additional: additional)
            let made = compiler.answers[index]
            let start = Int(made.bodyStart)
            let message = try MessageEncoder.response(
                name: name, type: RecordType.srv, rcode: 0, answer: answer, authority: [], additional: additional)
            let layout = try MessageLayout(message: message)
            let ldns = Array(message[layout.questionEnd..<layout.end])
            #expect(Array(compiler.bytes[start..<(start + Int(made.whole.bodyLength))]) == ldns, "\(owner)")
            #expect(made.whole.additionalCount == 1 && made.cutCount == 1)
            // The cut: the SRV record alone, where the additional record starts.
            #expect(compiler.cuts[Int(made.cutStart)].bodyLength == UInt32(layout.recordStarts[1] - layout.questionEnd))
        }
        // Each shape (A after the SRV, AAAA after the SRV) was ldns's bytes: the rest were written so.
        #expect(compiler.shapes.count == 2 && compiler.shapes.values.allSatisfy { $0 })
    }
}
