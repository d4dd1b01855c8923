import DNSWire
import Foundation
import Synchronization
import Testing

/// SPEC.md section 4 against the real binary: `clusterdns` on 127.0.0.1 forwarding to fake
/// upstreams that the tests start, control and count.
@Suite("Forwarding and its cache", .serialized)
struct ForwardingTests {
    static func a(_ name: String, _ address: [UInt8], ttl: UInt32 = 300) -> Record {
        Record(owner: try! DNSName(name), ttl: ttl, data: .a(AddressBytes(address)))
    }

    static func soa(_ zone: String, ttl: UInt32, minimum: UInt32) -> Record {
        let data = SOAData(
            mname: try! DNSName("ns.\(zone)"), rname: try! DNSName("hostmaster.\(zone)"), serial: 1,
            refresh: 3600, retry: 600, expire: 86400, minimum: minimum)
        return Record(owner: try! DNSName(zone), ttl: ttl, data: .soa(data))
    }

    /// Runs `body` with a server forwarding to `upstreams` (extra flags after them).
    func withServer(
        _ upstreams: [FakeUpstream], _ flags: [String] = [], _ body: (DNSClient) throws -> Void
    ) throws {
        let server = try ForwardingServer(upstreams.flatMap { ["--upstream", $0.address] } + flags)
        defer { server.stop() }
        try body(DNSClient(port: server.port))
    }

    @Test func forwardedAnswersCarryRAAndTheClientsIDAndSpelling() async throws {
        let upstream = try await FakeUpstream.start()
        upstream.set("example.com", .init(answer: [Self.a("example.com", [93, 184, 216, 34])]))
        upstream.set("4.3.2.1.in-addr.arpa", .init(answer: [
            Record(owner: try DNSName("4.3.2.1.in-addr.arpa"), ttl: 60, data: .ptr(try DNSName("host.example.com"))),
        ]))
        try withServer([upstream]) { client in
            let plain = try #require(try client.ask("ExAmPlE.com", RecordType.a, id: 0x4242))
            #expect(plain.rcode == 0 && plain.id == 0x4242)
            #expect(plain.ra && !plain.aa && plain.qr && plain.rd)
            #expect(plain.answer == ["ExAmPlE.com. 300 IN A 93.184.216.34"])
            #expect(plain.question.first?.hasPrefix("ExAmPlE.com.") == true)
            // The upstream answered with its own OPT; a client without EDNS gets none.
            #expect(plain.edns == nil)
            let edns = try #require(try client.ask("example.com", RecordType.a, edns: .init(udpSize: 4096, version: 0, dnssecOK: false)))
            #expect(edns.edns?.udpSize == 1232)
            #expect(edns.answer.count == 1)
            let reverse = try #require(try client.ask("4.3.2.1.in-addr.arpa", RecordType.ptr))
            #expect(reverse.rcode == 0 && reverse.ra)
            #expect(reverse.answer == ["4.3.2.1.in-addr.arpa. 60 IN PTR host.example.com."])
            // Over TCP too, and the question as the client spelled it.
            let tcp = try #require(try client.tcp(QueryEncoder.query(name: "Example.COM", type: RecordType.aaaa, id: 99)))
            #expect(tcp.id == 99 && tcp.ra && tcp.rcode == 0 && tcp.question.first?.hasPrefix("Example.COM.") == true)
            // Names of our own zone are never forwarded.
            let cluster = try #require(try client.ask("nothing.default.svc.cluster.local", RecordType.a))
            #expect(cluster.rcode == 3 && cluster.aa && !cluster.ra)
        }
        #expect(upstream.udpQueries("nothing.default.svc.cluster.local.") == 0)
        try await upstream.stop()
    }

    @Test func aCachedAnswerCostsOneUpstreamQueryAndItsTTLCountsDown() async throws {
        let upstream = try await FakeUpstream.start()
        upstream.set("cached.example", .init(answer: [Self.a("cached.example", [192, 0, 2, 1], ttl: 100)]))
        try withServer([upstream]) { client in
            let first = try #require(try client.ask("cached.example", RecordType.a))
            #expect(first.answer == ["cached.example. 100 IN A 192.0.2.1"])
            Thread.sleep(forTimeInterval: 1.1)
            let second = try #require(try client.ask("CACHED.example", RecordType.a, id: 7))
            #expect(second.id == 7 && second.ra)
            // Counted down by the whole seconds it spent in the cache (1, or a little more on a busy machine).
            let fields = try #require(second.answer.first).split(separator: " ")
            #expect(fields.count == 5 && fields[0] == "CACHED.example." && fields[4] == "192.0.2.1")
            #expect((95...99).contains(Int(fields[1]) ?? 0))
        }
        #expect(upstream.udpQueries("cached.example.") == 1)
        try await upstream.stop()
    }

    @Test func negativeAnswersAreCachedForTheSOAMinimum() async throws {
        let upstream = try await FakeUpstream.start()
        upstream.set("gone.example", .init(rcode: 3, authority: [Self.soa("example", ttl: 300, minimum: 1)]))
        upstream.set("nodata.example", .init(authority: [Self.soa("example", ttl: 2, minimum: 3600)]))
        try withServer([upstream]) { client in
            let first = try #require(try client.ask("gone.example", RecordType.a))
            #expect(first.rcode == 3 && first.ra)
            #expect(first.authority.first?.hasPrefix("example. 1 IN SOA") == true)
            #expect(try client.ask("gone.example", RecordType.a)?.rcode == 3)
            #expect(upstream.udpQueries("gone.example.") == 1)
            // NODATA: the SOA's own TTL (2) is below its MINIMUM, so it bounds the entry.
            let nodata = try #require(try client.ask("nodata.example", RecordType.aaaa))
            #expect(nodata.rcode == 0 && nodata.answer.isEmpty)
            #expect(nodata.authority.first?.hasPrefix("example. 2 IN SOA") == true)
            #expect(try client.ask("nodata.example", RecordType.aaaa)?.rcode == 0)
            #expect(upstream.udpQueries("nodata.example.") == 1)
            Thread.sleep(forTimeInterval: 1.2)
            #expect(try client.ask("gone.example", RecordType.a)?.rcode == 3)
            #expect(upstream.udpQueries("gone.example.") == 2)
        }
        try await upstream.stop()
    }

    @Test func aSilentUpstreamFailsOverAndBothSilentIsSERVFAIL() async throws {
        let first = try await FakeUpstream.start()
        let second = try await FakeUpstream.start()
        for upstream in [first, second] {
            for name in ["one.example", "two.example", "three.example", "four.example"] {
                upstream.set(name, .init(answer: [Self.a(name, [198, 51, 100, 7])]))
            }
        }
        first.setSilent(true)
        try withServer([first, second], ["--upstream-timeout", "0.3"]) { client in
            let start = Date()
            let one = try #require(try client.ask("one.example", RecordType.a))
            #expect(one.rcode == 0 && one.answer.count == 1)
            #expect(Date().timeIntervalSince(start) >= 0.3)
            #expect(first.udpQueries("one.example.") == 1 && second.udpQueries("one.example.") == 1)
            // The silent upstream is held down: the next query goes straight to the second.
            #expect(try client.ask("two.example", RecordType.a)?.answer.count == 1)
            #expect(first.udpQueries("two.example.") == 0 && second.udpQueries("two.example.") == 1)
            // Back once it answers again and its hold-down (1 s after one failure) is over.
            first.setSilent(false)
            Thread.sleep(forTimeInterval: 1.1)
            #expect(try client.ask("three.example", RecordType.a)?.answer.count == 1)
            #expect(first.udpQueries("three.example.") == 1 && second.udpQueries("three.example.") == 0)
            first.setSilent(true)
            second.setSilent(true)
            let failed = try #require(try client.ask("four.example", RecordType.a))
            #expect(failed.rcode == 2 && failed.ra && failed.answer.isEmpty)
            #expect(first.udpQueries("four.example.") == 1 && second.udpQueries("four.example.") == 1)
        }
        try await first.stop()
        try await second.stop()
    }

    @Test func aTruncatedUpstreamAnswerIsFetchedOverTCP() async throws {
        let upstream = try await FakeUpstream.start()
        let records = (1...40).map { Self.a("big.example", [203, 0, 113, UInt8($0)]) }
        upstream.set("big.example", .init(answer: records, truncateOverUDP: true))
        try withServer([upstream]) { client in
            let large = try #require(try client.ask("big.example", RecordType.a, edns: .init(udpSize: 4096, version: 0, dnssecOK: false)))
            #expect(!large.tc && large.answer.count == 40 && large.ra)
            #expect(upstream.udpQueries("big.example.") == 1 && upstream.tcpQueries("big.example.") == 1)
            // 40 records do not fit in a plain 512-byte UDP reply: TC=1, then TCP gets them all.
            let small = try #require(try client.ask("big.example", RecordType.a))
            #expect(small.tc && small.answer.isEmpty && small.ra)
            let tcp = try #require(try client.tcp(QueryEncoder.query(name: "big.example", type: RecordType.a)))
            #expect(!tcp.tc && tcp.answer.count == 40)
        }
        #expect(upstream.udpQueries("big.example.") == 1 && upstream.tcpQueries("big.example.") == 1)
        try await upstream.stop()
    }

    @Test func aTCPRetryThatTimesOutMovesOnToTheNextUpstream() async throws {
        let first = try await FakeUpstream.start()
        let second = try await FakeUpstream.start()
        let records = (1...3).map { Self.a("stuck.example", [203, 0, 113, UInt8($0)]) }
        first.set("stuck.example", .init(answer: records, truncateOverUDP: true, silentOverTCP: true))
        second.set("stuck.example", .init(answer: records))
        try withServer([first, second], ["--upstream-timeout", "0.5"]) { client in
            let response = try #require(try client.ask("stuck.example", RecordType.a))
            #expect(response.rcode == 0 && response.answer.count == 3)
        }
        #expect(first.udpQueries("stuck.example") == 1 && first.tcpQueries("stuck.example") == 1)
        #expect(second.udpQueries("stuck.example") == 1)
        try await first.stop()
        try await second.stop()
    }

    @Test func queriesBeyondTheInFlightCapAreREFUSED() async throws {
        let upstream = try await FakeUpstream.start()
        upstream.setSilent(true)
        try withServer([upstream], ["--max-in-flight", "2", "--upstream-timeout", "3"]) { client in
            let slow = DispatchGroup()
            let results = ConcurrentResults()
            for name in ["wait1.example", "wait2.example"] {
                DispatchQueue.global().async(group: slow) {
                    results.add(try? client.ask(name, RecordType.a)?.rcode)
                }
            }
            // Both must be waiting upstream before the third comes (they wait 3 s: room for a busy machine).
            let deadline = Date().addingTimeInterval(3)
            while upstream.udpQueries("wait1.example.") + upstream.udpQueries("wait2.example.") < 2, Date() < deadline {
                Thread.sleep(forTimeInterval: 0.01)
            }
            let start = Date()
            let refused = try #require(try client.ask("third.example", RecordType.a))
            #expect(refused.rcode == 5 && refused.ra)
            #expect(Date().timeIntervalSince(start) < 0.5)
            #expect(upstream.udpQueries("third.example.") == 0)
            slow.wait()
            #expect(results.values == [2, 2])
        }
        try await upstream.stop()
    }

    @Test func identicalQuestionsShareOneUpstreamQuery() async throws {
        let upstream = try await FakeUpstream.start()
        upstream.setSilent(true)
        try withServer([upstream], ["--upstream-timeout", "2"]) { client in
            let first = ConcurrentResults()
            let done = DispatchGroup()
            DispatchQueue.global().async(group: done) { first.add(try? client.ask("same.example", RecordType.a)?.rcode) }
            let deadline = Date().addingTimeInterval(3)
            while upstream.udpQueries("same.example") < 1, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
            // Asked while the first is still waiting: it joins it instead of going upstream again.
            let second = try #require(try client.ask("Same.Example", RecordType.a, id: 2))
            #expect(second.rcode == 2 && second.id == 2)
            #expect(second.question.first?.hasPrefix("Same.Example.") == true)
            done.wait()
            #expect(first.values == [2])
        }
        #expect(upstream.udpQueries("same.example") == 1)
        try await upstream.stop()
    }

    @Test func forgedAnswersAreThrownAway() async throws {
        let upstream = try await FakeUpstream.start()
        let forgeries: [(String, FakeUpstream.Forgery)] = [
            ("id.example", .wrongID), ("question.example", .wrongQuestion), ("port.example", .otherPort),
        ]
        for (name, forgery) in forgeries {
            upstream.set(name, .init(answer: [Self.a(name, [192, 0, 2, 53])], forgery: forgery))
        }
        upstream.set("only.example", .init(answer: [Self.a("only.example", [192, 0, 2, 53])], forgery: .otherPort, genuineAfterForgery: false))
        try withServer([upstream], ["--upstream-timeout", "0.5"]) { client in
            for (name, _) in forgeries {
                let response = try #require(try client.ask(name, RecordType.a))
                #expect(response.answer == ["\(name). 300 IN A 192.0.2.53"], "forgery for \(name)")
            }
            // Nothing but a forgery came: the upstream counts as silent.
            #expect(try client.ask("only.example", RecordType.a)?.rcode == 2)
        }
        try await upstream.stop()
    }

    @Test func theUpstreamSocketMovesToNewPortsAndNoAnswerIsLost() async throws {
        let upstream = try await FakeUpstream.start()
        // REFUSED from the upstream is not cached: every ask goes upstream.
        upstream.set("ports.example", .init(rcode: 5))
        try withServer([upstream]) { (client: DNSClient) throws in
            for index in 0..<1100 {
                #expect(try client.ask("ports.example", RecordType.a, id: UInt16(index))?.rcode == 5)
            }
        }
        #expect(upstream.udpQueries("ports.example") == 1100)
        // A new port after every 500 queries.
        #expect(upstream.udpSourcePorts.count >= 3)
        try await upstream.stop()
    }

    @Test func theCacheEvictsWhenFull() async throws {
        let upstream = try await FakeUpstream.start()
        for name in ["e1.example", "e2.example", "e3.example"] {
            upstream.set(name, .init(answer: [Self.a(name, [192, 0, 2, 9])]))
        }
        try withServer([upstream], ["--cache-size", "2"]) { (client: DNSClient) throws in
            for name in ["e1.example", "e2.example", "e3.example", "e1.example", "e3.example"] {
                #expect(try client.ask(name, RecordType.a)?.answer.count == 1)
            }
        }
        // e3 took e1's place; e1 came back in e2's; e3 stayed cached.
        #expect(upstream.udpQueries("e1.example") == 2)
        #expect(upstream.udpQueries("e3.example") == 1)
        try await upstream.stop()
    }

    @Test(arguments: [true, false])
    func upstreamNoneAnswersOutsideNamesREFUSED(throughEnvironment: Bool) async throws {
        let server = throughEnvironment
            ? try ForwardingServer([], environment: ["CLUSTERDNS_UPSTREAM": "none"])
            : try ForwardingServer(["--upstream", "none"])
        defer { server.stop() }
        let client = DNSClient(port: server.port)
        let outside = try #require(try client.ask("example.com", RecordType.a))
        #expect(outside.rcode == 5 && !outside.ra)
        let reverse = try #require(try client.ask("4.3.2.1.in-addr.arpa", RecordType.ptr))
        #expect(reverse.rcode == 3 && reverse.aa)
    }

    @Test(arguments: ["127.0.0.1", "0.0.0.0"])
    func anUpstreamThatIsThisServerIsRefusedAtStart(listen: String) throws {
        let port = try #require(ForwardingServer.freePort())
        let result = try ForwardingServer.runToExit([
            "--dns", "\(listen):\(port)", "--zones-dir", ForwardingServer.emptyZones, "--manifests", ForwardingServer.emptyManifest, "--upstream", "127.0.0.1:\(port)",
        ])
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(result.stderr.contains("--upstream 127.0.0.1:\(port) is this server itself"))
        #expect(result.stderr.contains("forwarding loop"))
    }
}

/// Results gathered from other threads.
final class ConcurrentResults: Sendable {
    private let stored = Mutex<[Int?]>([])

    func add(_ value: Int?) {
        stored.withLock { $0.append(value) }
    }

    var values: [Int?] { stored.withLock { $0 } }
}
