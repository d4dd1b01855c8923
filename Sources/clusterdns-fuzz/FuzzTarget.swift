import ClusterModel
import ClusterZone
import DNSWire

/// One input through the packet path, as the server runs it: parse, look up, write, over UDP
/// and TCP; then the response must be a message ldns can decode. A crash or a trap here is a
/// bug; the fuzzer finds inputs that cause one.
final class FuzzTarget {
    private let responder: Responder
    private let out = UnsafeMutableRawBufferPointer.allocate(byteCount: Responder.maxMessageSize, alignment: 8)

    init() throws {
        let configuration = try ZoneConfiguration(zone: DNSName("cluster.local"))
        let service = Service(
            name: "web", namespace: "shop",
            spec: ServiceSpec(clusterIP: "10.96.0.5", ports: [ServicePort(name: "http", port: 80)]))
        let headless = Service(
            name: "db", namespace: "shop",
            spec: ServiceSpec(clusterIP: "None", ports: [ServicePort(name: "pg", port: 5432)]))
        let slice = EndpointSlice(
            name: "db-1", namespace: "shop", serviceName: "db",
            endpoints: (1...30).map { Endpoint(addresses: ["10.244.0.\($0)"], hostname: "db-\($0)") })
        let alias = Service(
            name: "alias", namespace: "shop", spec: ServiceSpec(type: "ExternalName", externalName: "web.shop.svc.cluster.local"))
        let state = ClusterState(services: [service, headless, alias], endpointSlices: [slice])
        let snapshot = try SnapshotBuilder(configuration: configuration).build(state: state, serial: 1)
        responder = try Responder(snapshot: snapshot)
    }

    func run(_ input: UnsafeRawBufferPointer) {
        for transport in [Responder.Transport.udp, .tcp] {
            guard case .reply(let length) = responder.respond(to: input, over: transport, into: out) else { continue }
            precondition(length >= 12 && length <= (transport == .udp ? 1232 : Responder.maxMessageSize))
            let bytes = Array(UnsafeRawBufferPointer(rebasing: out[..<length]))
            precondition((try? DecodedMessage(wire: bytes)) != nil, "a response ldns cannot decode: \(bytes)")
        }
    }
}
