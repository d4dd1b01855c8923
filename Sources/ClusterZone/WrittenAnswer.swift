import DNSWire

/// An answer whose bytes follow from its records alone, so that it can be written without
/// ldns once ldns made the same bytes for the first answer of its shape
/// (``AnswerCompiler``'s `compileWritten`).
protocol WrittenAnswer {
    var shape: AnswerShape { get }
    var whole: Cut { get }
    /// Where a UDP reply too small for the whole answer is cut, if anywhere.
    var cut: Cut? { get }
    func write(into bytes: inout [UInt8])
}

/// What the bytes of a ``WrittenAnswer`` depend on besides its names and data.
struct AnswerShape: Hashable {
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
        shape = AnswerShape(type: record.type, ttl: record.ttl)
        self.data = data
    }

    var whole: Cut {
        Cut(bodyLength: UInt32(12 + data.count), answerCount: 1, authorityCount: 0, additionalCount: 0, truncates: false)
    }

    var cut: Cut? { nil }

    func write(into bytes: inout [UInt8]) {
        bytes += [0xC0, 12]
        bytes.appendBigEndian(shape.type)
        bytes.appendBigEndian(UInt16(1))
        bytes.appendBigEndian(shape.ttl)
        bytes.appendBigEndian(UInt16(data.count))
        bytes += data
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

/// One SRV record owned by the question, whose target lies in the question's name (a
/// service's `_port._proto.<service>`), and the one A or AAAA record of that target: the SRV
/// with its target in full (RFC 2782: not compressed), then the address record, its owner a
/// pointer to the target's place in the question.
struct LoneService: WrittenAnswer {
    let shape: AnswerShape
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
            let offset = name.suffixOffset(of: target)
        else { return nil }
        shape = AnswerShape(
            type: RecordType.srv, ttl: answer[0].ttl, additionalType: additional[0].type, additionalTTL: additional[0].ttl)
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
    var cut: Cut? {
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
        bytes.appendBigEndian(shape.additionalType)
        bytes.appendBigEndian(UInt16(1))
        bytes.appendBigEndian(shape.additionalTTL)
        bytes.appendBigEndian(UInt16(address.count))
        bytes += address
    }
}

extension [UInt8] {
    mutating func appendBigEndian(_ value: some FixedWidthInteger) {
        Swift.withUnsafeBytes(of: value.bigEndian) { self += $0 }
    }
}
