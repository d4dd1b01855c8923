import DNSWire

/// An answer whose bytes follow from its records alone, so that it can be written without
/// ldns once ldns made the same bytes for the first answer of its shape
/// (``AnswerCompiler``'s `compileWritten`).
protocol WrittenAnswer {
    var shape: AnswerShape { get }
    var whole: Cut { get }
    /// Where a UDP reply too small for the whole answer may be cut, smallest first.
    func appendCuts(to cuts: inout [Cut])
    /// The records that rotate, as ``CompiledAnswer`` holds them (offset, stride, count).
    var rotation: (offset: UInt32, stride: UInt16, count: UInt16) { get }
    func write(into bytes: inout [UInt8])
    /// Writes the bytes a shard keeps; true when they are not the wire's but the SRV targets
    /// of ``CompactTargets``.
    func writeStored(into bytes: inout [UInt8]) -> Bool
}

extension WrittenAnswer {
    func writeStored(into bytes: inout [UInt8]) -> Bool {
        write(into: &bytes)
        return false
    }

    func appendCuts(to cuts: inout [Cut]) {}
    var rotation: (offset: UInt32, stride: UInt16, count: UInt16) { (0, 0, 0) }
}

/// What the bytes of a ``WrittenAnswer`` depend on besides its names and data.
struct AnswerShape: Hashable {
    enum Form: Hashable { case loneRecord, addressSet, ownTargetServices, endpointServices }
    var form: Form
    var type: UInt16
    var ttl: UInt32
    var additionalType: UInt16 = 0
    var additionalTTL: UInt32 = 0
}

/// One record owned by the question, its data on the wire as it is: a pointer to the
/// question, type, class, TTL, length and data. An address, or the target of a PTR or CNAME
/// that nothing compresses (``init(target:question:)``).
struct LoneRecord<Data: Collection<UInt8>>: WrittenAnswer {
    let shape: AnswerShape
    let data: Data

    init(_ record: Record, data: Data) {
        shape = AnswerShape(form: .loneRecord, type: record.type, ttl: record.ttl)
        self.data = data
    }

    var whole: Cut {
        Cut(bodyLength: UInt32(12 + data.count), answerCount: 1, authorityCount: 0, additionalCount: 0, truncates: false)
    }

    func write(into bytes: inout [UInt8]) {
        bytes.appendQuestionRecord(type: shape.type, ttl: shape.ttl, data)
    }
}

extension LoneRecord where Data == [UInt8] {
    /// A PTR or CNAME record whose target nothing can compress: its last label differs from
    /// the question's, so no suffix of it matches a name written before it (the question, and
    /// the owner that points to it). A PTR's question is under in-addr.arpa or ip6.arpa and
    /// its target in the cluster zone; an ExternalName's target is (nearly always) outside it.
    init?(target record: Record, question: DNSName) {
        guard record.type == RecordType.ptr || record.type == RecordType.cname, let target = record.data.target,
            let last = target.lastLabel, let questionLast = question.lastLabel, last != questionLast
        else { return nil }
        self.init(record, data: target.wire)
    }
}

/// Two or more address records of one type owned by the question (a headless service's
/// ready endpoints): each a pointer to the question, type, class, TTL, length and address.
/// They are one RRset, so there is no cut inside them, and they rotate.
struct AddressSet: WrittenAnswer {
    let shape: AnswerShape
    let addresses: [AddressBytes]

    init?(name: DNSName, type: UInt16, answer: [Record], authority: [Record], additional: [Record]) {
        guard answer.count >= 2, answer.count <= Int(UInt16.max), authority.isEmpty, additional.isEmpty,
            type == RecordType.a || type == RecordType.aaaa
        else { return nil }
        let ttl = answer[0].ttl
        var addresses: [AddressBytes] = []
        addresses.reserveCapacity(answer.count)
        for record in answer {
            guard record.type == type, record.ttl == ttl, record.owner == name, let address = record.data.address,
                address.count == answer[0].data.address?.count
            else { return nil }
            addresses.append(address)
        }
        shape = AnswerShape(form: .addressSet, type: type, ttl: ttl)
        self.addresses = addresses
    }

    private var stride: Int { 12 + addresses[0].count }

    var whole: Cut {
        Cut(bodyLength: UInt32(stride * addresses.count), answerCount: UInt16(addresses.count), authorityCount: 0,
            additionalCount: 0, truncates: false)
    }

    var rotation: (offset: UInt32, stride: UInt16, count: UInt16) { (0, UInt16(stride), UInt16(addresses.count)) }

    func write(into bytes: inout [UInt8]) {
        for address in addresses {
            bytes.appendQuestionRecord(type: shape.type, ttl: shape.ttl, address)
        }
    }
}

extension [UInt8] {
    /// A record owned by the question (a pointer to it): type, class IN, TTL, length, data.
    mutating func appendQuestionRecord(type: UInt16, ttl: UInt32, _ data: some Collection<UInt8>) {
        self += [0xC0, 12]
        appendBigEndian(type)
        appendBigEndian(UInt16(1))
        appendBigEndian(ttl)
        appendBigEndian(UInt16(data.count))
        self += data
    }

    mutating func appendBigEndian(_ value: some FixedWidthInteger) {
        Swift.withUnsafeBytes(of: value.bigEndian) { self += $0 }
    }
}
