import ClusterModel
@testable import ClusterZone
import DNSWire
import Testing

@Suite("Truncation and TCP")
struct TruncationTests {
    /// A headless service with `count` ready endpoints 10.244.200.1...
    static func big(_ count: Int) throws -> TestZone {
        let service = Service(name: "big", namespace: "test", spec: ServiceSpec(clusterIP: "None", ports: [ServicePort(name: "http", port: 80)]))
        let endpoints = (1...count).map { Endpoint(addresses: ["10.244.200.\($0)"]) }
        let slice = EndpointSlice(name: "big-1", namespace: "test", serviceName: "big", endpoints: endpoints)
        return try TestZone(extra: ClusterState(services: [service], endpointSlices: [slice]))
    }

    @Test func fortyRecordsDoNotFitIn512BytesButAllComeOverTCP() throws {
        let zone = try Self.big(40)
        let udp = try #require(try zone.ask("big.test.svc.cluster.local", A))
        #expect(udp.tc)
        #expect(udp.answer.isEmpty)
        #expect(udp.size <= 512)
        let tcp = try #require(try zone.ask("big.test.svc.cluster.local", A, over: .tcp))
        #expect(!tcp.tc)
        #expect(tcp.answer.count == 40)
    }

    @Test func ednsRaisesTheLimitUpToOurCap() throws {
        let zone = try Self.big(40)
        let large = try #require(try zone.ask("big.test.svc.cluster.local", A, edns: .init(udpSize: 4096, version: 0, dnssecOK: false)))
        #expect(!large.tc && large.answer.count == 40 && large.size <= 1232)
        let small = try #require(try zone.ask("big.test.svc.cluster.local", A, edns: .init(udpSize: 100, version: 0, dnssecOK: false)))
        #expect(small.tc && small.answer.isEmpty && small.edns != nil)
        let hundred = try Self.big(100)
        let capped = try #require(try hundred.ask("big.test.svc.cluster.local", A, edns: .init(udpSize: 65000, version: 0, dnssecOK: false)))
        #expect(capped.tc && capped.size <= 1232)
    }

    @Test func additionalRecordsAreDroppedWithoutTC() throws {
        let zone = try Self.big(18)
        // 18 SRV records (targets are not compressed) fit in 1232 bytes only without their 18 additional A records.
        let response = try #require(try zone.ask("_http._tcp.big.test.svc.cluster.local", SRV, edns: .init(udpSize: 1232, version: 0, dnssecOK: false)))
        #expect(response.answer.count == 18)
        #expect(response.additional.count < 18)
        #expect(!response.tc)
        let tcp = try #require(try zone.ask("_http._tcp.big.test.svc.cluster.local", SRV, over: .tcp))
        #expect(tcp.answer.count == 18 && tcp.additional.count == 18)
    }

    /// The service's own name and its port's name answer with the same SRV records: ldns
    /// encodes the first of the two, the other keeps its targets compact and has them written
    /// out per query. Cut alike over UDP, whole over TCP, whatever case the question has.
    @Test func bothServiceNamesAnswerTheSameRecordsCutAndWhole() throws {
        let zone = try Self.big(18)
        // The shape's second answer has compact targets: the case this test is for.
        #expect(zone.snapshot.shards.contains { $0.answers.contains { $0.compactTargets } })
        let targets = Set((1...18).map { "10-244-200-\($0).big.test.svc.cluster.local." })
        var answers: [[String]] = []
        for name in ["big.test.svc.cluster.local", "_http._tcp.big.test.svc.cluster.local", "_HTTP._tcp.Big.TEST.svc.cluster.local"] {
            let udp = try #require(try zone.ask(name, SRV, edns: .init(udpSize: 1232, version: 0, dnssecOK: false)))
            #expect(udp.answer.count == 18 && udp.additional.count < 18 && !udp.tc, "\(name)")
            let tcp = try #require(try zone.ask(name, SRV, over: .tcp))
            #expect(tcp.answer.count == 18 && tcp.additional.count == 18, "\(name)")
            let srv = tcp.answer.map { $0.split(separator: " ").suffix(4).joined(separator: " ") }
            #expect(Set(srv.map { String($0.split(separator: " ")[3]) }) == targets, "\(name)")
            #expect(Set(tcp.additional.map { String($0.split(separator: " ")[0]).lowercased() }) == targets, "\(name)")
            answers.append(srv.sorted())
        }
        #expect(answers.allSatisfy { $0 == answers[0] })
    }
}
