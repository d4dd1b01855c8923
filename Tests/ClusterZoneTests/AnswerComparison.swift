import ClusterZone
import DNSWire
import Testing

/// Two snapshots that must answer alike, asked the same questions over TCP (no truncation).
enum AnswerComparison {
    /// Every candidate name and type, and autopath walks from pod addresses, get the same bytes.
    static func expectSame(_ incremental: ZoneSnapshot, _ whole: ZoneSnapshot, step: Int) throws {
        let left = try Responder(snapshot: incremental)
        let right = try Responder(snapshot: whole)
        let types = [RecordType.a, RecordType.aaaa, RecordType.srv, RecordType.ptr, RecordType.cname,
                     RecordType.txt, RecordType.ns, RecordType.soa, RecordType.mx]
        for name in RandomCluster.candidateNames {
            for type in types {
                let mine = try ask(left, name, type)
                let theirs = try ask(right, name, type)
                #expect(mine == theirs, "step \(step): \(name) type \(type)")
            }
        }
        // Autopath: a pod's search walk, from each address pods may have.
        for last in 1...6 {
            let client = ClientAddress(bytes: [10, 244, 0, UInt8(last)])!
            for name in ["s1.n0.svc.cluster.local.n1.svc.cluster.local", "s2.n1.svc.cluster.local.n0.svc.cluster.local"] {
                #expect(try ask(left, name, RecordType.a, from: client) == ask(right, name, RecordType.a, from: client),
                        "step \(step): autopath \(name) from 10.244.0.\(last)")
            }
        }
    }

    static func ask(_ responder: Responder, _ name: String, _ type: UInt16, from client: ClientAddress? = nil) throws -> [UInt8] {
        let packet = try QueryEncoder.query(name: name, type: type, id: 0x1234)
        var out = [UInt8](repeating: 0, count: Responder.maxMessageSize)
        let result = packet.withUnsafeBytes { query in
            out.withUnsafeMutableBytes { responder.respond(to: query, over: .tcp, into: $0, from: client) }
        }
        switch result {
        case .reply(let length): return Array(out[..<length])
        case .chase(let chase): return [1] + Array(out[..<chase.fallbackLength])
        case .silent: return []
        case .forward: return [2]
        }
    }
}
