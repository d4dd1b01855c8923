import DNSWire

/// Turns record lists into ``CompiledAnswer``s stored in shared arenas.
struct AnswerCompiler {
    private(set) var bytes: [UInt8] = []
    private(set) var cuts: [Cut] = []
    private(set) var answers: [CompiledAnswer] = []
    /// The bodies ldns made for a lone record, by type and TTL (``compileLone``).
    private var loneBodies: [UInt64: [UInt8]] = [:]
    /// Whether ldns's answer to the first lone SRV of each shape was ``LoneService``'s bytes.
    private(set) var serviceShapes: [LoneService.Shape: Bool] = [:]

    init() {}

    /// Goes on from arenas made before (a shard's, to append to).
    init(answers: [CompiledAnswer], bytes: [UInt8], cuts: [Cut]) {
        self.answers = answers
        self.bytes = bytes
        self.cuts = cuts
    }

    /// Encodes the answer to `name`/`type` with ldns and returns its number.
    mutating func compile(
        name: DNSName, type: UInt16, answer: [Record], authority: [Record] = [], additional: [Record] = []
    ) throws(DNSWireError) -> Int {
        if answer.count == 1, authority.isEmpty, additional.isEmpty, answer[0].owner == name {
            if let address = answer[0].data.address, answer[0].type == type {
                return try compileLone(name: name, record: answer[0], data: address)
            }
            if let target = Self.uncompressedTarget(of: answer[0], question: name) {
                return try compileLone(name: name, record: answer[0], data: target.wire)
            }
        }
        if let service = LoneService(name: name, type: type, answer: answer, authority: authority, additional: additional) {
            return try compileService(service, name: name, answer: answer, additional: additional)
        }
        return try compileWithLDNS(name: name, type: type, answer: answer, authority: authority, additional: additional)
    }

    private mutating func compileWithLDNS(
        name: DNSName, type: UInt16, answer: [Record], authority: [Record], additional: [Record]
    ) throws(DNSWireError) -> Int {
        let message = try MessageEncoder.response(
            name: name, type: type, rcode: ResponseCode.noError,
            answer: answer, authority: authority, additional: additional)
        let layout = try MessageLayout(message: message)
        let base = layout.questionEnd
        let whole = Cut(
            bodyLength: UInt32(layout.end - base), answerCount: UInt16(answer.count),
            authorityCount: UInt16(authority.count), additionalCount: UInt16(additional.count), truncates: false)
        var compiled = CompiledAnswer(bodyStart: UInt32(bytes.count), whole: whole, cutStart: UInt32(cuts.count), cutCount: 0)
        bytes += message[base..<layout.end]

        let records = answer + authority + additional
        var counts = [0, 0, 0]
        for index in records.indices {
            counts[Int(layout.sectionOf[index]) - 1] += 1
            let next = index + 1
            let endsRRset = next == records.count || layout.sectionOf[next] != layout.sectionOf[index]
                || records[next].owner != records[index].owner || records[next].type != records[index].type
            guard endsRRset, next < records.count else { continue }
            cuts.append(Cut(
                bodyLength: UInt32(layout.recordStarts[next] - base),
                answerCount: UInt16(counts[0]), authorityCount: UInt16(counts[1]),
                additionalCount: UInt16(counts[2]),
                truncates: counts[0] < answer.count || counts[1] < authority.count))
        }
        compiled.cutCount = UInt16(cuts.count - Int(compiled.cutStart))

        // Only plain address answers rotate: nothing else in the body may point into them.
        if answer.count >= 2, authority.isEmpty, additional.isEmpty, answer.allSatisfy({ $0.type == RecordType.a || $0.type == RecordType.aaaa }),
            Set(answer.map(\.type)).count == 1
        {
            let stride = layout.recordStarts[1] - layout.recordStarts[0]
            let uniform = (1..<answer.count).allSatisfy { layout.recordStarts[$0] - layout.recordStarts[$0 - 1] == stride }
            let answerEnd = answer.count < layout.recordStarts.count ? layout.recordStarts[answer.count] : layout.end
            if uniform, answerEnd - layout.recordStarts[answer.count - 1] == stride {
                compiled.rotateOffset = UInt32(layout.recordStarts[0] - base)
                compiled.rotateStride = UInt16(stride)
                compiled.rotateCount = UInt16(answer.count)
            }
        }
        answers.append(compiled)
        return answers.count - 1
    }

    /// A lone record owned by the question's name whose data goes on the wire as it is: a
    /// pointer to the question, type, class, TTL, length and the data. Such answers differ only
    /// in TTL and data, so ldns encodes the first of each type and TTL and the others are its
    /// fixed fields with their own length and data after them, as the responder patches
    /// addresses into ldns-made templates per query.
    /// They are most answers: every ClusterIP service and endpoint hostname, every PTR and
    /// ExternalName alias, 408,000 of the 569,000 RRsets of the lab's N = 100,000 zones; and
    /// ldns's name compression was a third of a build's CPU.
    private mutating func compileLone(
        name: DNSName, record: Record, data: some Collection<UInt8>
    ) throws(DNSWireError) -> Int {
        let key = UInt64(record.type) << 32 | UInt64(record.ttl)
        let template: [UInt8]
        if let known = loneBodies[key] {
            template = known
        } else {
            template = try Self.body(name: name, type: record.type, record: record)
            // The shape checked once: a pointer to the question, the fixed fields, the data's
            // length and the data as given.
            guard template.count == 12 + data.count, template[0] == 0xC0, template[1] == 12,
                Int(template[10]) << 8 | Int(template[11]) == data.count, template[12...].elementsEqual(data)
            else {
                throw DNSWireError.encodingFailed("a \(record.type) answer for \(name) in an unexpected shape")
            }
            loneBodies[key] = template
        }
        let whole = Cut(
            bodyLength: UInt32(12 + data.count), answerCount: 1, authorityCount: 0,
            additionalCount: 0, truncates: false)
        answers.append(CompiledAnswer(bodyStart: UInt32(bytes.count), whole: whole, cutStart: UInt32(cuts.count), cutCount: 0))
        bytes += template[..<10]
        bytes.append(UInt8(truncatingIfNeeded: data.count >> 8))
        bytes.append(UInt8(truncatingIfNeeded: data.count))
        bytes += data
        return answers.count - 1
    }

    /// A lone SRV with its target's address: the first of each shape goes through ldns, and
    /// when ldns made exactly ``LoneService``'s bytes, the others of that shape are written so.
    /// They are a service's named ports (115,000 of the 141,000 SRV RRsets at N = 100,000), and
    /// ldns's name compression was a quarter of a build's CPU once the records above were
    /// written without it.
    private mutating func compileService(
        _ service: LoneService, name: DNSName, answer: [Record], additional: [Record]
    ) throws(DNSWireError) -> Int {
        guard let same = serviceShapes[service.shape] else {
            let index = try compileWithLDNS(name: name, type: RecordType.srv, answer: answer, authority: [], additional: additional)
            let made = answers[index]
            var expected: [UInt8] = []
            service.write(into: &expected)
            serviceShapes[service.shape] = made.cutCount == 1 && made.rotateCount == 0
                && cuts[Int(made.cutStart)] == service.cut && made.whole == service.whole
                && bytes[Int(made.bodyStart)...].elementsEqual(expected)
            return index
        }
        guard same else {
            return try compileWithLDNS(name: name, type: RecordType.srv, answer: answer, authority: [], additional: additional)
        }
        answers.append(CompiledAnswer(bodyStart: UInt32(bytes.count), whole: service.whole, cutStart: UInt32(cuts.count), cutCount: 1))
        cuts.append(service.cut)
        service.write(into: &bytes)
        return answers.count - 1
    }

    /// The target of a lone PTR or CNAME record when ldns would write it in full: its last
    /// label differs from the question's, so no suffix of it matches a name written before it
    /// (the question and the owner, a pointer to the question) and nothing in it is compressed.
    /// A PTR's question is under in-addr.arpa or ip6.arpa and its target in the cluster zone;
    /// an ExternalName's target is (nearly always) outside the cluster zone.
    static func uncompressedTarget(of record: Record, question: DNSName) -> DNSName? {
        guard record.type == RecordType.ptr || record.type == RecordType.cname, let target = record.data.target,
            let last = target.wire.lastLabel, let questionLast = question.wire.lastLabel, last != questionLast
        else { return nil }
        return target
    }

    mutating func reserve(answers: Int, bytes: Int, cuts: Int) {
        self.answers.reserveCapacity(answers)
        self.bytes.reserveCapacity(bytes)
        self.cuts.reserveCapacity(cuts)
    }

    /// Copies answer `index` of `shard`, bytes as they are; returns its new number.
    mutating func copy(_ index: Int, of shard: ZoneShard) -> Int {
        var answer = shard.answers[index]
        let body = Int(answer.bodyStart)
        let cutStart = Int(answer.cutStart)
        answer.bodyStart = UInt32(bytes.count)
        answer.cutStart = UInt32(cuts.count)
        bytes += shard.bytes[body..<(body + Int(answer.whole.bodyLength))]
        cuts += shard.cuts[cutStart..<(cutStart + Int(answer.cutCount))]
        answers.append(answer)
        return answers.count - 1
    }

    /// The body of a single-record answer, for templates patched per query.
    static func body(name: DNSName, type: UInt16, record: Record) throws(DNSWireError) -> [UInt8] {
        let message = try MessageEncoder.response(name: name, type: type, rcode: 0, answer: [record])
        let layout = try MessageLayout(message: message)
        return Array(message[layout.questionEnd..<layout.end])
    }
}

extension [UInt8] {
    /// The last label of a wire name before the root, nil for the root itself.
    var lastLabel: ArraySlice<UInt8>? {
        var index = 0
        var last: ArraySlice<UInt8>?
        while index < count, self[index] != 0 {
            let end = index + 1 + Int(self[index])
            guard end <= count else { return nil }
            last = self[(index + 1)..<end]
            index = end
        }
        return last
    }
}

/// One SRV record owned by the question, whose target lies in the question's name (a
/// service's `_port._proto.<service>`), and the one A or AAAA record of that target: the SRV
/// with its target in full (RFC 2782: not compressed), then the address record, its owner a
/// pointer to the target's place in the question.
struct LoneService {
    struct Shape: Hashable {
        var ttl: UInt32
        var addressType: UInt16
        var addressTTL: UInt32
    }

    let shape: Shape
    let priority: UInt16
    let weight: UInt16
    let port: UInt16
    let target: [UInt8]
    /// Where the target starts in the message: in the question, after the 12-octet header.
    let pointer: Int
    let address: AddressBytes

    init?(name: DNSName, type: UInt16, answer: [Record], authority: [Record], additional: [Record]) {
        guard type == RecordType.srv, answer.count == 1, authority.isEmpty, additional.count == 1,
            answer[0].owner == name, case .srv(let priority, let weight, let port, let target) = answer[0].data,
            additional[0].owner == target, let address = additional[0].data.address,
            let offset = name.wire.suffixOffset(target.wire)
        else { return nil }
        shape = Shape(ttl: answer[0].ttl, addressType: additional[0].type, addressTTL: additional[0].ttl)
        (self.priority, self.weight, self.port, self.target) = (priority, weight, port, target.wire)
        pointer = 12 + offset
        self.address = address
    }

    /// The SRV record's length: a pointer to the question, the fixed fields, then the data.
    private var serviceLength: Int { 2 + 10 + 6 + target.count }

    var whole: Cut {
        Cut(bodyLength: UInt32(serviceLength + 12 + address.count), answerCount: 1, authorityCount: 0,
            additionalCount: 1, truncates: false)
    }

    /// The answer without the additional record, for a UDP reply that cannot hold both.
    var cut: Cut {
        Cut(bodyLength: UInt32(serviceLength), answerCount: 1, authorityCount: 0, additionalCount: 0, truncates: false)
    }

    func write(into bytes: inout [UInt8]) {
        bytes += [0xC0, 12]
        bytes.appendBigEndian(RecordType.srv)
        bytes.appendBigEndian(UInt16(1))
        bytes.appendBigEndian(shape.ttl)
        bytes.appendBigEndian(UInt16(6 + target.count))
        bytes.appendBigEndian(priority)
        bytes.appendBigEndian(weight)
        bytes.appendBigEndian(port)
        bytes += target
        bytes.appendBigEndian(UInt16(0xC000 | pointer))
        bytes.appendBigEndian(shape.addressType)
        bytes.appendBigEndian(UInt16(1))
        bytes.appendBigEndian(shape.addressTTL)
        bytes.appendBigEndian(UInt16(address.count))
        bytes += address
    }
}

extension [UInt8] {
    mutating func appendBigEndian(_ value: some FixedWidthInteger) {
        Swift.withUnsafeBytes(of: value.bigEndian) { self += $0 }
    }

    /// Where `suffix`, a wire name, starts in this one at a label boundary; nil when it does not end it.
    func suffixOffset(_ suffix: [UInt8]) -> Int? {
        var index = 0
        while index < count {
            if count - index == suffix.count { return self[index...].elementsEqual(suffix) ? index : nil }
            guard self[index] != 0, count - index > suffix.count else { return nil }
            index += 1 + Int(self[index])
        }
        return nil
    }
}
