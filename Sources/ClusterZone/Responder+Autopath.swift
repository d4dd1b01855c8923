import DNSWire

extension Responder {
    /// Server-side search path (SPEC.md section 5). The query `<name>.<ns>.svc.<zone>` from a
    /// pod of `<ns>` missed (its NXDOMAIN is in `out`, `fallbackLength` bytes): try
    /// `<name>.svc.<zone>`, `<name>.<zone>` and `<name>` like the pod's resolver would, and
    /// answer the first that exists as a CNAME from the asked name plus that name's records.
    /// Nil when nothing exists here and nothing is left to ask upstream: the NXDOMAIN stands.
    ///
    /// Cost, paid only on this path: a few small arrays per candidate, the responder's own
    /// lookup per candidate into a scratch buffer, and for a hit one ldns decode and encode
    /// (``AliasComposer``), some tens of µs. A name that must go upstream costs the upstream
    /// round trip, once for the whole walk instead of once per search suffix.
    func autopath(
        _ query: Query, packet: UnsafeRawBufferPointer, suffix: [UInt8], limit: Int,
        into out: UnsafeMutableRawBufferPointer, fallbackLength: Int
    ) -> Result? {
        let prefixLength = query.nameLength - suffix.count
        guard prefixLength > 0, query.hasQuestion else { return nil }
        let asked = Array(UnsafeRawBufferPointer(rebasing: name[0..<query.nameLength]))
        guard asked[prefixLength...].elementsEqual(suffix), Self.isLabelBoundary(prefixLength, in: asked) else {
            return nil
        }
        let askedName = DNSName(uncheckedWire: asked)
        let scratch = self.scratch ?? .allocate(byteCount: Self.maxMessageSize, alignment: 8)
        self.scratch = scratch
        for candidate in Self.candidates(prefix: asked[..<prefixLength], suffix: suffix) {
            let probe = Self.syntheticQuery(for: candidate, like: query)
            let inner: Result = probe.withUnsafeBytes { probe in
                guard case .lookup(let parsed) = QueryParser.parse(probe, name: name) else { return .silent }
                return answer(parsed, packet: probe, limit: Self.maxMessageSize, into: scratch, client: nil)
            }
            let alias = Record(owner: askedName, ttl: snapshot.ttl, data: .cname(DNSName(uncheckedWire: candidate)))
            switch inner {
            case .reply(let length):
                // Only NOERROR counts as found (a name that exists, maybe without this type):
                // NXDOMAIN, and REFUSED for names nobody serves, mean "try the next".
                guard scratch[3] & 0x0F == 0 else { continue }
                let part = Array(UnsafeRawBufferPointer(rebasing: scratch[..<length]))
                guard let written = compose(query, packet: packet, name: askedName, alias: alias, part: part, limit: limit, into: out)
                else { return .reply(fallbackLength) }
                autopathStatistics.countLocalHit()
                return .reply(written.length)
            case .forward:
                return .chase(Chase(
                    query: query, target: candidate, aliases: [alias], keepsFallbackAnswers: false, isAutopath: true,
                    fallbackLength: fallbackLength))
            case .chase(let found):
                // An ExternalName leaving our zones: alias + its CNAME now, the upstream's records later.
                let part = Array(UnsafeRawBufferPointer(rebasing: scratch[..<found.fallbackLength]))
                guard let written = compose(query, packet: packet, name: askedName, alias: alias, part: part, limit: limit, into: out)
                else { return .reply(fallbackLength) }
                guard written.complete else { return .reply(written.length) }
                return .chase(Chase(
                    query: query, target: found.target, aliases: [], keepsFallbackAnswers: true, isAutopath: true,
                    fallbackLength: written.length))
            case .silent:
                continue
            }
        }
        autopathStatistics.countMiss()
        return nil
    }

    /// Whether a label starts at `offset`: label bytes may look like a suffix's length octets.
    static func isLabelBoundary(_ offset: Int, in name: [UInt8]) -> Bool {
        var position = 0
        while position < offset { position += Int(name[position]) + 1 }
        return position == offset
    }

    /// `<name>.svc.<zone>`, `<name>.<zone>`, `<name>`: the rest of the pod's search list.
    static func candidates(prefix: ArraySlice<UInt8>, suffix: [UInt8]) -> [[UInt8]] {
        let afterNamespace = Int(suffix[0]) + 1
        let afterSvc = afterNamespace + Int(suffix[afterNamespace]) + 1
        return [Array(prefix + suffix[afterNamespace...]), Array(prefix + suffix[afterSvc...]), Array(prefix + [0])]
    }

    /// A query for `name` with the type, class and RD bit of `query`, without EDNS: the answer
    /// is built whole in the scratch buffer and fitted to the client afterwards.
    static func syntheticQuery(for name: [UInt8], like query: Query) -> [UInt8] {
        var packet: [UInt8] = [0, 0, query.recursionDesired ? 1 : 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
        packet += name
        packet += [
            UInt8(query.type >> 8), UInt8(truncatingIfNeeded: query.type), UInt8(query.qclass >> 8),
            UInt8(truncatingIfNeeded: query.qclass),
        ]
        return packet
    }

    /// Writes `alias` + the answer records of `part` as the response to the client's query.
    /// `complete` is false when it did not fit (TC=1, question only). Nil when ldns could not
    /// compose it (counted; the NXDOMAIN in `out` stands, which is still a true answer).
    private func compose(
        _ query: Query, packet: UnsafeRawBufferPointer, name: DNSName, alias: Record, part: [UInt8], limit: Int,
        into out: UnsafeMutableRawBufferPointer
    ) -> (length: Int, complete: Bool)? {
        let message: [UInt8]
        do {
            message = try AliasComposer.compose(
                name: name, type: query.type, authoritative: true, aliases: [alias], parts: [part])
        } catch {
            autopathStatistics.countFailure()
            return nil
        }
        var writer = ResponseWriter(out: out, packet: packet, query: query, opt: opt)
        let complete = writer.appendMessage(message, bodyStart: 12 + name.wire.count + 4, limit: limit)
        let length = writer.finish(
            rcode: UInt16(message[3] & 0x0F), authoritative: message[2] & 0x04 != 0, truncated: !complete)
        return (length, complete)
    }
}
