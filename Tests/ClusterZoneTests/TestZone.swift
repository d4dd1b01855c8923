import ClusterModel
import ClusterZone
import DNSWire
import Foundation

/// A snapshot of the README example plus the test fixture, queried the way the server does:
/// a query packet through `Responder`, the response decoded by ldns.
struct TestZone {
    static let serial: UInt32 = 42
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    let responder: Responder
    let snapshot: ZoneSnapshot

    init(
        pods: ZoneConfiguration.PodsMode = .insecure, endpointPodNames: Bool = false,
        ignoreEmptyService: Bool = false, synced: Bool = true, extra: ClusterState = ClusterState(),
        forwarding: Bool = false, autopath: Bool = true
    ) throws {
        var state = try Self.state()
        state.services += extra.services
        state.endpointSlices += extra.endpointSlices
        state.pods += extra.pods
        let configuration = try ZoneConfiguration(
            zone: DNSName("cluster.local"), ttl: 5, pods: pods, endpointPodNames: endpointPodNames,
            ignoreEmptyService: ignoreEmptyService, autopath: autopath)
        let zone = try StaticZone.load(
            path: Self.root.appendingPathComponent("zones/example.internal.zone").path,
            origin: DNSName("example.internal"))
        snapshot = try SnapshotBuilder(configuration: configuration)
            .build(state: state, staticZones: [zone], serial: Self.serial, synced: synced)
        responder = try Responder(snapshot: snapshot, forwarding: forwarding)
    }

    static func state() throws -> ClusterState {
        var manifest = try Manifest.load(path: root.appendingPathComponent("examples/seed.yaml").path)
        let fixture = Bundle.module.url(forResource: "cluster", withExtension: "yaml", subdirectory: "Fixtures")!
        try manifest.add(data: Data(contentsOf: fixture), source: "cluster.yaml")
        return manifest.state
    }

    /// Sends `name`/`type` and decodes the answer; nil when the server stays silent.
    func ask(
        _ name: String, _ type: UInt16, over transport: Responder.Transport = .udp, edns: Query.EDNS? = nil,
        qclass: UInt16 = RecordClass.internet, from client: ClientAddress? = nil
    ) throws -> DecodedMessage? {
        try send(QueryEncoder.query(name: name, type: type, edns: edns, qclass: qclass), over: transport, from: client)
    }

    /// The reply; for a chase (the upstream would finish it) the answer sent without upstream.
    func send(
        _ packet: [UInt8], over transport: Responder.Transport = .udp, from client: ClientAddress? = nil
    ) throws -> DecodedMessage? {
        var out = [UInt8](repeating: 0, count: Responder.maxMessageSize)
        let result = packet.withUnsafeBytes { query in
            out.withUnsafeMutableBytes { responder.respond(to: query, over: transport, into: $0, from: client) }
        }
        switch result {
        case .reply(let length): return try DecodedMessage(wire: Array(out[..<length]))
        case .chase(let chase): return try DecodedMessage(wire: Array(out[..<chase.fallbackLength]))
        case .silent: return nil
        case .forward: throw Forwarded()
        }
    }

    /// What the responder decides for `name`/`type`, without decoding a reply.
    func result(_ name: String, _ type: UInt16, from client: ClientAddress? = nil) throws -> Responder.Result {
        let packet = try QueryEncoder.query(name: name, type: type)
        var out = [UInt8](repeating: 0, count: Responder.maxMessageSize)
        return packet.withUnsafeBytes { query in
            out.withUnsafeMutableBytes { responder.respond(to: query, over: .udp, into: $0, from: client) }
        }
    }

    /// `send` met a query the responder hands to the forwarder: there is no reply to decode.
    struct Forwarded: Error {}
}

/// Presentation text of the SOA records the tests expect in authority sections.
enum SOA {
    static let cluster = "cluster.local. 5 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 42 7200 1800 86400 5"
    static let reverse4 = "in-addr.arpa. 5 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 42 7200 1800 86400 5"
    static let example = "example.internal. 300 IN SOA ns.example.internal. hostmaster.example.internal. 2026112201 3600 600 604800 60"
}
