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

    /// A lone SRV with its target's address is written by ``OwnTargetServices`` once ldns made the
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
            #expect((OwnTargetServices(name: name, type: RecordType.srv, answer: answer, authority: [], additional: additional) != nil) == lone)
            let index = try compiler.compile(name: name, type: RecordType.srv, answer: answer, additional: additional)
            let made = compiler.answers[index]
            let message = try MessageEncoder.response(
                name: name, type: RecordType.srv, rcode: 0, answer: answer, authority: [], additional: additional)
            let layout = try MessageLayout(message: message)
            let ldns = Array(message[layout.questionEnd..<layout.end])
            #expect(compiler.wire(made, name: name) == ldns, "\(owner)")
            #expect(made.whole.additionalCount == 1 && made.cutCount == 1)
            // The cut: the SRV record alone, where the additional record starts.
            #expect(compiler.cuts[Int(made.cutStart)].bodyLength == UInt32(layout.recordStarts[1] - layout.questionEnd))
        }
        // Each shape (A after the SRV, AAAA after the SRV, and the headless endpoint's) was
        // ldns's bytes: the rest were written so.
        #expect(compiler.shapes.count == 3 && compiler.shapes.values.allSatisfy { $0 })
    }
}

@Suite("Answer compiler: record sets")
struct AnswerCompilerSetTests {
    /// What ldns makes of the answer: the body after the question, its cuts and its rotation.
    private func ldns(_ name: DNSName, _ type: UInt16, _ answer: [Record], _ additional: [Record] = []) throws
        -> (body: [UInt8], cuts: [UInt32], rotate: (UInt32, UInt16, UInt16))
    {
        var compiler = AnswerCompiler()
        // A shape's first answer is always ldns's own.
        let index = try compiler.compile(name: name, type: type, answer: answer, additional: additional)
        return body(compiler, compiler.answers[index], name: name)
    }

    private func body(_ compiler: AnswerCompiler, _ made: CompiledAnswer, name: DNSName)
        -> (body: [UInt8], cuts: [UInt32], rotate: (UInt32, UInt16, UInt16))
    {
        let cuts = compiler.cuts[Int(made.cutStart)..<(Int(made.cutStart) + Int(made.cutCount))]
        return (compiler.wire(made, name: name), cuts.map(\.bodyLength),
                (made.rotateOffset, made.rotateStride, made.rotateCount))
    }

    /// A headless service's addresses are written once ldns made the same bytes for the first
    /// set of its type and TTL: every later set is what ldns makes of it, rotation included.
    @Test func addressSetsAreWhatLdnsEncodes() throws {
        let v6: AddressBytes = [0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34]
        let cases: [(String, [RData])] = [
            ("db.prod.svc.cluster.local", [.a([10, 244, 0, 1]), .a([10, 244, 0, 2])]),
            ("cache.prod.svc.cluster.local", (1...13).map { .a([10, 244, 1, UInt8($0)]) }),
            ("Mixed.Case.svc.cluster.local", [.a([10, 244, 2, 1]), .a([10, 244, 2, 9]), .a([10, 244, 2, 3])]),
            ("db6.prod.svc.cluster.local", [.aaaa(v6), .aaaa([0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9])]),
            ("db6b.prod.svc.cluster.local", [.aaaa(v6), .aaaa([0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7])]),
        ]
        var compiler = AnswerCompiler()
        for (text, data) in cases {
            let name = try DNSName(text)
            let answer = data.map { Record(owner: name, ttl: 5, data: $0) }
            #expect(AddressSet(name: name, type: answer[0].type, answer: answer, authority: [], additional: []) != nil)
            let index = try compiler.compile(name: name, type: answer[0].type, answer: answer)
            let made = body(compiler, compiler.answers[index], name: name)
            let expected = try ldns(name, answer[0].type, answer)
            #expect(made.body == expected.body && made.cuts == expected.cuts, "\(text)")
            #expect(made.rotate == expected.rotate && made.rotate.2 == UInt16(answer.count), "\(text)")
        }
        #expect(compiler.shapes.count == 2 && compiler.shapes.values.allSatisfy { $0 })
        // Mixed owners or TTLs are not one set: ldns encodes those.
        let name = try DNSName("x.prod.svc.cluster.local")
        let mixed = [Record(owner: name, ttl: 5, data: .a([10, 0, 0, 1])), Record(owner: name, ttl: 6, data: .a([10, 0, 0, 2]))]
        #expect(AddressSet(name: name, type: RecordType.a, answer: mixed, authority: [], additional: []) == nil)
    }

    /// A headless service's SRV records and their targets' addresses: every set is what ldns
    /// makes of it, each cut included (after the SRV records, then after each address).
    @Test func serviceSetsAreWhatLdnsEncodes() throws {
        let cases: [(owner: String, service: String, hosts: [String])] = [
            ("_http._tcp.db.prod.svc.cluster.local", "db.prod.svc.cluster.local", ["db-0", "db-1", "db-2"]),
            ("_memcache._tcp.quote-memcached.papa-dev.svc.cluster.local", "quote-memcached.papa-dev.svc.cluster.local",
             (1...10).map { "10-244-0-\($0)" }),
            ("_x._udp.one.ns.svc.cluster.local", "one.ns.svc.cluster.local", ["10-1-2-3"]),
            ("_Y._tcp.Upper.NS.svc.cluster.local", "upper.ns.svc.cluster.local", ["A-b", "c"]),
        ]
        var compiler = AnswerCompiler()
        for (owner, service, hosts) in cases {
            let name = try DNSName(owner)
            let targets = try hosts.map { try DNSName(label: $0, parent: try DNSName(service)) }
            let answer = targets.enumerated().map { index, target in
                Record(owner: name, ttl: 5, data: .srv(priority: 0, weight: 10, port: UInt16(8000 + index), target: target))
            }
            let additional = targets.enumerated().map { index, target in
                Record(owner: target, ttl: 5, data: .a([10, 244, 9, UInt8(index)]))
            }
            #expect(EndpointServices(name: name, type: RecordType.srv, answer: answer, authority: [], additional: additional) != nil)
            let index = try compiler.compile(name: name, type: RecordType.srv, answer: answer, additional: additional)
            let made = body(compiler, compiler.answers[index], name: name)
            let expected = try ldns(name, RecordType.srv, answer, additional)
            #expect(made.body == expected.body, "\(owner)")
            #expect(made.cuts == expected.cuts && made.cuts.count == hosts.count, "\(owner)")
            #expect(compiler.answers[index].whole.additionalCount == UInt16(hosts.count))
            // ldns made the first of the shape; the others keep their targets compact.
            #expect(compiler.answers[index].compactTargets == (owner != cases[0].owner), "\(owner)")
        }
        #expect(compiler.shapes.count == 1 && compiler.shapes.values.allSatisfy { $0 })
    }

    /// The SRV records of a service's own name, one per port: a ClusterIP service's all have
    /// the service as target, a headless service's have each endpoint once per port. Every
    /// one is what ldns makes of it.
    @Test func servicesWithSeveralPortsAreWhatLdnsEncodes() throws {
        var compiler = AnswerCompiler()
        for (service, hosts) in [("web.prod.svc.cluster.local", [String]()), ("api.prod.svc.cluster.local", []),
                                 ("db.prod.svc.cluster.local", ["db-0", "db-1", "db-2"]),
                                 ("kv.prod.svc.cluster.local", ["10-244-0-1", "10-244-0-2"])] {
            let name = try DNSName(service)
            let targets = hosts.isEmpty ? [name] : try hosts.map { try DNSName(label: $0, parent: name) }
            let answer = [80, 443].flatMap { port in
                targets.map { Record(owner: name, ttl: 5, data: .srv(priority: 0, weight: 50, port: UInt16(port), target: $0)) }
            }
            let additional = targets.enumerated().map { index, target in
                Record(owner: target, ttl: 5, data: .a([10, 96, 7, UInt8(index)]))
            }
            let own = OwnTargetServices(name: name, type: RecordType.srv, answer: answer, authority: [], additional: additional)
            let endpoints = EndpointServices(name: name, type: RecordType.srv, answer: answer, authority: [], additional: additional)
            #expect((own != nil) == hosts.isEmpty && (endpoints != nil) == !hosts.isEmpty, "\(service)")
            let index = try compiler.compile(name: name, type: RecordType.srv, answer: answer, additional: additional)
            let made = body(compiler, compiler.answers[index], name: name)
            let expected = try ldns(name, RecordType.srv, answer, additional)
            #expect(made.body == expected.body && made.cuts == expected.cuts, "\(service)")
            #expect(compiler.answers[index].whole.answerCount == UInt16(answer.count))
        }
        #expect(compiler.shapes.count == 2 && compiler.shapes.values.allSatisfy { $0 })
    }

    /// A target with two addresses, or one the question ends in, is not this shape.
    @Test func otherServiceAnswersAreNotSets() throws {
        let name = try DNSName("_http._tcp.db.prod.svc.cluster.local")
        let target = try DNSName("db-0.db.prod.svc.cluster.local")
        let answer = [Record(owner: name, ttl: 5, data: .srv(priority: 0, weight: 10, port: 80, target: target))]
        let two = [Record(owner: target, ttl: 5, data: .a([10, 0, 0, 1])), Record(owner: target, ttl: 5, data: .a([10, 0, 0, 2]))]
        #expect(EndpointServices(name: name, type: RecordType.srv, answer: answer, authority: [], additional: two) == nil)
        let own = try DNSName("db.prod.svc.cluster.local")
        let ownAnswer = [Record(owner: name, ttl: 5, data: .srv(priority: 0, weight: 10, port: 80, target: own))]
        let ownAddress = [Record(owner: own, ttl: 5, data: .a([10, 96, 0, 1]))]
        #expect(EndpointServices(name: name, type: RecordType.srv, answer: ownAnswer, authority: [], additional: ownAddress) == nil)
    }
}

extension AnswerCompiler {
    /// Answer `made`'s body as the wire has it for the question `name`: compact SRV targets
    /// written out as the responder writes them.
    func wire(_ made: CompiledAnswer, name: DNSName) -> [UInt8] {
        let start = Int(made.bodyStart)
        guard made.compactTargets else { return Array(bytes[start..<(start + Int(made.whole.bodyLength))]) }
        let length = Int(made.whole.bodyLength)
        var out = [UInt8](repeating: 0, count: length)
        let written = bytes.withUnsafeBytes { stored in
            name.wire.withUnsafeBytes { name in
                out.withUnsafeMutableBytes {
                    CompactTargets.expand(stored, start: start, length: length, name: name, into: $0.baseAddress!)
                }
            }
        }
        return Array(out[..<written])
    }
}
