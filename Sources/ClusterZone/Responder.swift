import DNSWire

/// Answers query packets from the current snapshot: a lookup and a copy of prebuilt bytes.
///
/// One responder per event loop (it keeps a scratch buffer and the round-robin counter), so
/// it is deliberately not `Sendable` and takes no locks.
public final class Responder {
    public enum Transport: Sendable {
        case udp
        case tcp
    }

    /// Replaced by the owner of the responder when a new snapshot is published.
    public var snapshot: ZoneSnapshot
    /// Upstream resolvers are configured: names outside every zone we serve, and reverse names
    /// we do not know, come back as ``Result/forward(_:)`` instead of REFUSED / NXDOMAIN.
    public let forwarding: Bool
    /// Largest UDP payload we send (`--udp-size`), whatever the client offers.
    public let maxUDPSize: Int
    /// The largest response: TCP's 2-byte length prefix.
    public static let maxMessageSize = 65535

    /// Room for the largest response, for callers that copy the answer out afterwards (TCP).
    public let largeBuffer: UnsafeMutableRawBufferPointer
    let name: UnsafeMutableRawBufferPointer
    let opt: [UInt8]
    private var rotation: UInt32 = 0
    /// Autopath's counters (shared with the other loops and the forwarders).
    public let autopathStatistics: AutopathStatistics
    /// Where autopath builds the answers of the names it tries; allocated on first use.
    var scratch: UnsafeMutableRawBufferPointer?

    public init(
        snapshot: ZoneSnapshot, maxUDPSize: Int = 1232, forwarding: Bool = false,
        autopathStatistics: AutopathStatistics = AutopathStatistics()
    ) throws(DNSWireError) {
        self.snapshot = snapshot
        self.autopathStatistics = autopathStatistics
        self.forwarding = forwarding
        self.maxUDPSize = max(512, min(maxUDPSize, Self.maxMessageSize))
        self.opt = try MessageEncoder.optRecord(udpSize: UInt16(self.maxUDPSize))
        self.name = .allocate(byteCount: 256, alignment: 8)
        self.largeBuffer = .allocate(byteCount: Self.maxMessageSize, alignment: 8)
    }

    deinit {
        name.deallocate()
        largeBuffer.deallocate()
        scratch?.deallocate()
    }

    /// Writes the response to `packet` into `out` (at least 1024 bytes; 65535 for any answer
    /// to fit over TCP) and says what to do with it: send those bytes, stay silent, or forward
    /// the query upstream (nothing written then). `client` is the source address, which
    /// autopath looks up when a pod's search walk misses.
    public func respond(
        to packet: UnsafeRawBufferPointer, over transport: Transport, into out: UnsafeMutableRawBufferPointer,
        from client: ClientAddress? = nil
    ) -> Result {
        switch QueryParser.parse(packet, name: name) {
        case .drop:
            return .silent
        case .reject(let rcode, let query):
            var writer = ResponseWriter(out: out, packet: packet, query: query, opt: opt)
            return .reply(writer.finish(rcode: rcode, authoritative: false, truncated: false))
        case .lookup(let query):
            let limit = transport == .tcp ? min(out.count, Self.maxMessageSize) : min(out.count, udpLimit(query))
            return answer(query, packet: packet, limit: limit, into: out, client: client)
        }
    }

    private func udpLimit(_ query: Query) -> Int {
        guard let edns = query.edns else { return 512 }
        return max(512, min(Int(edns.udpSize), maxUDPSize))
    }

    func answer(
        _ query: Query, packet: UnsafeRawBufferPointer, limit: Int, into out: UnsafeMutableRawBufferPointer,
        client: ClientAddress?
    ) -> Result {
        let snapshot = self.snapshot
        var writer = ResponseWriter(out: out, packet: packet, query: query, opt: opt)
        let qname = UnsafeRawBufferPointer(rebasing: name[0..<query.nameLength])
        if let (shard, index) = snapshot.find(qname) {
            let entry = shard.entries[index]
            if query.type == RecordType.any {
                writer.append(snapshot.templates.anyBody, answers: 1)
                return .reply(writer.finish(rcode: 0))
            }
            if let answer = shard.answer(entry, type: query.type) {
                rotation &+= 1
                let truncated = writer.append(shard, answer: answer, limit: limit, rotation: rotation, name: qname)
                let length = writer.finish(rcode: 0, truncated: truncated)
                if entry.flags & NameEntry.externalTarget != 0, forwarding, !truncated,
                    query.type != RecordType.srv, query.type != RecordType.cname,
                    let target = shard.externalTargets[Int32(index)]
                {
                    return .chase(Chase(
                        query: query, target: target, aliases: [], keepsFallbackAnswers: true, isAutopath: false,
                        fallbackLength: length))
                }
                return .reply(length)
            }
            writer.appendNegative(snapshot.zones[Int(entry.zone)])
            return .reply(writer.finish(rcode: 0))
        }
        if let (shard, entry) = snapshot.reverse.find(qname) {
            return .reply(pointerAnswer(shard, entry, query: query, qname: qname, limit: limit, writer: &writer))
        }
        guard let zoneIndex = snapshot.zone(of: qname) else {
            if forwarding { return .forward(query) }
            return .reply(writer.finish(rcode: UInt16(ResponseCode.refused), authoritative: false))
        }
        let zone = snapshot.zones[zoneIndex]
        if zone.isCluster {
            if snapshot.pods == .insecure, let address = snapshot.podAddress(qname) {
                return .reply(podAnswer(address, query: query, zone: zone, writer: &writer))
            }
            if !snapshot.synced {
                writer.appendNegative(zone)
                return .reply(writer.finish(rcode: UInt16(ResponseCode.servFail)))
            }
        }
        // SPEC.md section 3: reverse names we do not know belong to the wider world.
        if zone.isReverse && forwarding { return .forward(query) }
        writer.appendNegative(zone)
        let length = writer.finish(rcode: UInt16(ResponseCode.nxDomain))
        // The only place autopath costs anything: a cluster NXDOMAIN from a known pod.
        if zone.isCluster, let client, !snapshot.clients.isEmpty, let suffix = snapshot.clients.suffix(of: client),
            let result = autopath(query, packet: packet, suffix: suffix, limit: limit, into: out, fallbackLength: length)
        {
            return result
        }
        return .reply(length)
    }

    /// An address's reverse name (``ReverseTable``): its PTR set, NODATA for other types.
    private func pointerAnswer(
        _ shard: ReverseShard, _ entry: Int, query: Query, qname: UnsafeRawBufferPointer, limit: Int,
        writer: inout ResponseWriter
    ) -> Int {
        switch query.type {
        case RecordType.any:
            writer.append(snapshot.templates.anyBody, answers: 1)
        case RecordType.ptr:
            let (range, count) = shard.records(entry)
            // One RRset: it fits whole or the client asks again over TCP.
            guard writer.append(shard.bytes, range: range, answers: count, limit: limit) else {
                return writer.finish(rcode: 0, truncated: true)
            }
        default:
            if let zone = snapshot.zone(of: qname) { writer.appendNegative(snapshot.zones[zone]) }
        }
        return writer.finish(rcode: 0)
    }

    private func podAnswer(_ address: PodAddress, query: Query, zone: ZoneInfo, writer: inout ResponseWriter) -> Int {
        let template: [UInt8]
        switch (query.type, address.isIPv4) {
        case (RecordType.any, _): template = snapshot.templates.anyBody
        case (RecordType.a, true): template = snapshot.templates.podA
        case (RecordType.aaaa, false): template = snapshot.templates.podAAAA
        default:
            writer.appendNegative(zone)
            return writer.finish(rcode: 0)
        }
        writer.append(template, answers: 1)
        if query.type != RecordType.any {
            writer.patchTail(address.bytes, count: address.isIPv4 ? 4 : 16)
        }
        return writer.finish(rcode: 0)
    }
}
