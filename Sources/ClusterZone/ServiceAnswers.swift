import DNSWire

/// SRV records owned by the question, all with one target that lies in the question's name
/// (a ClusterIP service's `_port._proto.<service>`, or `<service>` itself with a record per
/// port), and that target's one A or AAAA record: the SRV records with the target in full
/// (RFC 2782: not compressed), then the address record, its owner a pointer to the target's
/// place in the question.
struct OwnTargetServices: WrittenAnswer {
    let shape: AnswerShape
    let services: [(priority: UInt16, weight: UInt16, port: UInt16)]
    let target: [UInt8]
    /// Where the target starts in the message: in the question, after the 12-octet header.
    let pointer: Int
    let address: AddressBytes

    init?(name: DNSName, type: UInt16, answer: [Record], authority: [Record], additional: [Record]) {
        guard type == RecordType.srv, !answer.isEmpty, answer.count <= 1024, authority.isEmpty, additional.count == 1,
            case .srv(_, _, _, let target) = answer[0].data, additional[0].owner == target,
            let address = additional[0].data.address, let offset = name.suffixOffset(of: target)
        else { return nil }
        var services: [(priority: UInt16, weight: UInt16, port: UInt16)] = []
        for record in answer {
            guard record.owner == name, record.ttl == answer[0].ttl,
                case .srv(let priority, let weight, let port, let own) = record.data, own == target
            else { return nil }
            services.append((priority, weight, port))
        }
        shape = AnswerShape(
            form: .ownTargetServices, type: RecordType.srv, ttl: answer[0].ttl, additionalType: additional[0].type,
            additionalTTL: additional[0].ttl)
        (self.services, self.target, self.address) = (services, target.wire, address)
        pointer = 12 + offset
    }

    /// The SRV records' length: each a pointer to the question, the fixed fields, the target.
    private var servicesLength: Int { services.count * (2 + 10 + 6 + target.count) }

    var whole: Cut {
        Cut(bodyLength: UInt32(servicesLength + 12 + address.count), answerCount: UInt16(services.count),
            authorityCount: 0, additionalCount: 1, truncates: false)
    }

    /// The answer without the additional record, for a UDP reply that cannot hold both.
    func appendCuts(to cuts: inout [Cut]) {
        cuts.append(Cut(
            bodyLength: UInt32(servicesLength), answerCount: UInt16(services.count), authorityCount: 0,
            additionalCount: 0, truncates: false))
    }

    func write(into bytes: inout [UInt8]) {
        write(into: &bytes, storedTarget: target)
    }

    /// Each target the pointer to its place in the question.
    func writeStored(into bytes: inout [UInt8]) -> Bool {
        write(into: &bytes, storedTarget: [0xC0 | UInt8(pointer >> 8), UInt8(truncatingIfNeeded: pointer)])
        return true
    }

    private func write(into bytes: inout [UInt8], storedTarget: [UInt8]) {
        for service in services {
            bytes.appendService(
                ttl: shape.ttl, service.priority, service.weight, service.port, target: storedTarget,
                targetLength: target.count)
        }
        bytes.appendAddress(owner: [], pointer: pointer, type: shape.additionalType, ttl: shape.additionalTTL, address)
    }
}

/// SRV records owned by the question whose targets are each one label below a name the
/// question ends in (a headless service's `_port._proto.<service>`, or `<service>` itself,
/// and its endpoints' `<host>.<service>`), each target with its one A or AAAA record in the
/// additional section, in the order the targets first appear: the SRV records with their
/// targets in full, then the address records, each owner the target's first label and a
/// pointer to the rest of it in the question.
struct EndpointServices: WrittenAnswer {
    let shape: AnswerShape
    let services: [(priority: UInt16, weight: UInt16, port: UInt16, target: Int)]
    let targets: [(wire: [UInt8], address: AddressBytes)]
    /// Where the targets' common parent starts in the message: in the question, after the header.
    let pointer: Int

    init?(name: DNSName, type: UInt16, answer: [Record], authority: [Record], additional: [Record]) {
        guard type == RecordType.srv, !answer.isEmpty, answer.count <= 1024, authority.isEmpty, !additional.isEmpty,
            case .srv(_, _, _, let first) = answer[0].data, let parent = first.parent,
            let offset = name.suffixOffset(of: parent)
        else { return nil }
        let (additionalType, additionalTTL) = (additional[0].type, additional[0].ttl)
        var services: [(priority: UInt16, weight: UInt16, port: UInt16, target: Int)] = []
        var targets: [(wire: [UInt8], address: AddressBytes)] = []
        services.reserveCapacity(answer.count)
        targets.reserveCapacity(additional.count)
        // Past a few targets a dictionary finds one sooner than a search of those before it.
        var numbers: [DNSName: Int]? = answer.count > 32 ? [:] : nil
        for record in answer {
            // A target the question ends in is a pointer of its own (``OwnTargetServices``).
            guard record.owner == name, record.ttl == answer[0].ttl,
                case .srv(let priority, let weight, let port, let target) = record.data,
                target.isChild(of: parent), name.suffixOffset(of: target) == nil
            else { return nil }
            // The additional records are the targets' in the order they first appear: a
            // target is either one of those before it or the next.
            let known = numbers == nil ? additional[..<targets.count].firstIndex { $0.owner == target } : numbers![target]
            let number = known ?? targets.count
            if number == targets.count {
                guard number < additional.count, additional[number].owner == target,
                    additional[number].type == additionalType, additional[number].ttl == additionalTTL,
                    let address = additional[number].data.address
                else { return nil }
                targets.append((target.wire, address))
                numbers?[target] = number
            }
            services.append((priority, weight, port, number))
        }
        guard targets.count == additional.count else { return nil }
        shape = AnswerShape(
            form: .endpointServices, type: RecordType.srv, ttl: answer[0].ttl, additionalType: additionalType,
            additionalTTL: additionalTTL)
        (self.services, self.targets) = (services, targets)
        pointer = 12 + offset
    }

    private var servicesLength: Int { services.reduce(0) { $0 + 2 + 10 + 6 + targets[$1.target].wire.count } }

    /// The first label of a target and a pointer, then the fixed fields and the address.
    private static func addressLength(_ target: (wire: [UInt8], address: AddressBytes)) -> Int {
        Int(target.wire[0]) + 1 + 2 + 10 + target.address.count
    }

    var whole: Cut {
        Cut(bodyLength: UInt32(servicesLength + targets.reduce(0) { $0 + Self.addressLength($1) }),
            answerCount: UInt16(services.count), authorityCount: 0, additionalCount: UInt16(targets.count),
            truncates: false)
    }

    /// After the SRV records, then after each address record but the last.
    func appendCuts(to cuts: inout [Cut]) {
        var length = servicesLength
        for (count, target) in targets.enumerated() {
            cuts.append(Cut(
                bodyLength: UInt32(length), answerCount: UInt16(services.count), authorityCount: 0,
                additionalCount: UInt16(count), truncates: false))
            length += Self.addressLength(target)
        }
    }

    func write(into bytes: inout [UInt8]) {
        for service in services {
            let target = targets[service.target].wire
            bytes.appendService(
                ttl: shape.ttl, service.priority, service.weight, service.port, target: target, targetLength: target.count)
        }
        writeAddresses(into: &bytes)
    }

    /// Each target its first label and a pointer to the rest in the question.
    func writeStored(into bytes: inout [UInt8]) -> Bool {
        let pointer = [0xC0 | UInt8(self.pointer >> 8), UInt8(truncatingIfNeeded: self.pointer)]
        for service in services {
            let target = targets[service.target].wire
            bytes.appendService(
                ttl: shape.ttl, service.priority, service.weight, service.port,
                target: target[...Int(target[0])] + pointer, targetLength: target.count)
        }
        writeAddresses(into: &bytes)
        return true
    }

    private func writeAddresses(into bytes: inout [UInt8]) {
        for target in targets {
            let label = target.wire[...Int(target.wire[0])]
            bytes.appendAddress(owner: label, pointer: pointer, type: shape.additionalType, ttl: shape.additionalTTL, target.address)
        }
    }
}

extension [UInt8] {
    /// An SRV record owned by the question (a pointer to it), its target in full or as a
    /// shard keeps it (``CompactTargets``), `targetLength` bytes on the wire either way.
    fileprivate mutating func appendService(
        ttl: UInt32, _ priority: UInt16, _ weight: UInt16, _ port: UInt16, target: some Collection<UInt8>,
        targetLength: Int
    ) {
        self += [0xC0, 12]
        appendBigEndian(RecordType.srv)
        appendBigEndian(UInt16(1))
        appendBigEndian(ttl)
        appendBigEndian(UInt16(6 + targetLength))
        appendBigEndian(priority)
        appendBigEndian(weight)
        appendBigEndian(port)
        self += target
    }

    /// An address record whose owner is `owner`'s labels followed by a pointer.
    fileprivate mutating func appendAddress(
        owner: some Collection<UInt8>, pointer: Int, type: UInt16, ttl: UInt32, _ address: AddressBytes
    ) {
        self += owner
        appendBigEndian(UInt16(0xC000 | pointer))
        appendBigEndian(type)
        appendBigEndian(UInt16(1))
        appendBigEndian(ttl)
        appendBigEndian(UInt16(address.count))
        self += address
    }
}
