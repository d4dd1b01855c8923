import DNSWire

/// Turns record lists into ``CompiledAnswer``s stored in shared arenas.
struct AnswerCompiler {
    private(set) var bytes: [UInt8] = []
    private(set) var cuts: [Cut] = []
    private(set) var answers: [CompiledAnswer] = []
    /// Whether ldns made the bytes of a ``WrittenAnswer`` for the first answer of each shape:
    /// the others of a shape it did are written without it (``compileWritten``).
    private(set) var shapes: [AnswerShape: Bool] = [:]

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
                return try compileWritten(LoneRecord(answer[0], data: address), name: name, type: type, answer: answer)
            }
            if let lone = LoneRecord(target: answer[0], question: name) {
                return try compileWritten(lone, name: name, type: type, answer: answer)
            }
        }
        if let set = AddressSet(name: name, type: type, answer: answer, authority: authority, additional: additional) {
            return try compileWritten(set, name: name, type: type, answer: answer)
        }
        if let services = OwnTargetServices(name: name, type: type, answer: answer, authority: authority, additional: additional) {
            return try compileWritten(services, name: name, type: type, answer: answer, additional: additional)
        }
        if let services = EndpointServices(name: name, type: type, answer: answer, authority: authority, additional: additional) {
            return try compileWritten(services, name: name, type: type, answer: answer, additional: additional)
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

    /// Most answers' bytes follow from their records alone (``WrittenAnswer``): one record, a
    /// headless service's address set, SRV records and their targets' addresses. ldns encodes
    /// the first of each shape, and when it made exactly the bytes written here, the others of
    /// that shape are written without it, as the responder patches addresses into ldns-made
    /// templates per query. ldns's name compression (label counts, lower-casing, a red-black
    /// tree) was a third of a build's CPU when it encoded every answer. With lone records and
    /// lone SRV answers written it still made 43,000 of the 684,000 answers of the lab's
    /// N = 100,000 zones (headless services' sets and services' own-name SRV answers), a
    /// quarter of the compile phase's CPU; with the sets written, about 3,000.
    private mutating func compileWritten(
        _ written: some WrittenAnswer, name: DNSName, type: UInt16, answer: [Record], additional: [Record] = []
    ) throws(DNSWireError) -> Int {
        switch shapes[written.shape] {
        case true?:
            let cutStart = cuts.count
            written.appendCuts(to: &cuts)
            let rotation = written.rotation
            let bodyStart = UInt32(bytes.count)
            let compact = written.writeStored(into: &bytes)
            answers.append(CompiledAnswer(
                bodyStart: bodyStart, whole: written.whole, compactTargets: compact, cutStart: UInt32(cutStart),
                cutCount: UInt16(cuts.count - cutStart), rotateOffset: rotation.offset, rotateStride: rotation.stride,
                rotateCount: rotation.count))
            return answers.count - 1
        case false?:
            return try compileWithLDNS(name: name, type: type, answer: answer, authority: [], additional: additional)
        case nil:
            let index = try compileWithLDNS(name: name, type: type, answer: answer, authority: [], additional: additional)
            let made = answers[index]
            var expected: [UInt8] = []
            written.write(into: &expected)
            var expectedCuts: [Cut] = []
            written.appendCuts(to: &expectedCuts)
            let rotation = written.rotation
            let madeCuts = cuts[Int(made.cutStart)..<(Int(made.cutStart) + Int(made.cutCount))]
            shapes[written.shape] = made.whole == written.whole && made.rotateOffset == rotation.offset
                && made.rotateStride == rotation.stride && made.rotateCount == rotation.count
                && madeCuts.elementsEqual(expectedCuts) && bytes[Int(made.bodyStart)...].elementsEqual(expected)
            return index
        }
    }

    mutating func reserve(answers: Int, bytes: Int, cuts: Int) {
        self.answers.reserveCapacity(answers)
        self.bytes.reserveCapacity(bytes)
        self.cuts.reserveCapacity(cuts)
    }

    /// Copies answer `index` of `shard` (whose question name is `nameLength` bytes), bytes
    /// as they are; returns its new number.
    mutating func copy(_ index: Int, of shard: ZoneShard, nameLength: Int) -> Int {
        var answer = shard.answers[index]
        let body = Int(answer.bodyStart)
        let stored = shard.storedLength(of: answer, nameLength: nameLength)!
        let cutStart = Int(answer.cutStart)
        answer.bodyStart = UInt32(bytes.count)
        answer.cutStart = UInt32(cuts.count)
        bytes += shard.bytes[body..<(body + stored)]
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
