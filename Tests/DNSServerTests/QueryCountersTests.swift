import DNSWire
import Testing

@testable import DNSServer

@Suite("Per-loop query counters and the fields read back from responses")
struct QueryCountersTests {
    @Test("requests by protocol and type, responses by rcode, durations into their bucket")
    func counts() {
        let counters = QueryCounters()
        counters.answered(.udp, type: RecordType.a, rcode: 0, nanoseconds: 5_000)
        counters.answered(.udp, type: RecordType.a, rcode: 3, nanoseconds: 30_000)
        counters.answered(.tcp, type: RecordType.srv, rcode: 0, nanoseconds: 7_000_000_000)
        counters.forwarded(.udp, type: 99)
        counters.responded(rcode: 2, nanoseconds: 1_000_000)
        counters.upstreamAnswered(nanoseconds: 2_000_000)
        let current = counters.current
        #expect(current.udpRequests == [2, 0, 0, 0, 0, 0, 0, 1])
        #expect(current.tcpRequests == [0, 0, 1, 0, 0, 0, 0, 0])
        #expect(Array(current.rcodes.prefix(4)) == [2, 0, 1, 1])
        #expect(current.duration.count == 4)
        #expect(current.duration.buckets[0] == 1)  // 5 µs <= 10 µs
        #expect(current.duration.buckets[2] == 1)  // 30 µs <= 50 µs
        #expect(current.duration.buckets[6] == 1)  // 1 ms <= 1 ms
        #expect(current.duration.buckets.last == 1)  // 7 s is above every bound
        #expect(current.duration.sumNanoseconds == 7_001_035_000)
        #expect(current.forwardDuration.count == 1 && current.forwardDuration.buckets[7] == 1)
        #expect((current + current).udpRequests[0] == 4)
    }

    @Test("the constant bucket search agrees with the published bounds")
    func bucketsAgree() {
        #expect(DurationBuckets.count == DurationBuckets.bounds.count)
        for (index, bound) in DurationBuckets.bounds.enumerated() {
            #expect(DurationBuckets.index(bound) == index)
            #expect(DurationBuckets.index(bound + 1) == index + 1)
        }
        #expect(DurationBuckets.index(0) == 0)
    }

    @Test("qtype, rcode, name and flags of a response")
    func responseFields() throws {
        var response = try QueryEncoder.query(name: "web.default.svc.cluster.local", type: RecordType.srv, id: 9)
        response[2] |= 0x84  // QR, AA (RD was set by the encoder)
        response[3] = 0x03  // NXDOMAIN
        response.withUnsafeBytes { bytes in
            #expect(ResponseFields.questionType(bytes) == RecordType.srv)
            #expect(ResponseFields.rcode(bytes) == 3)
            #expect(ResponseFields.name(bytes) == "web.default.svc.cluster.local.")
            #expect(ResponseFields.flags(bytes) == "qr,aa,rd")
        }
        let headerOnly = [UInt8](repeating: 0, count: 12)
        headerOnly.withUnsafeBytes { bytes in
            #expect(ResponseFields.questionType(bytes) == 0)
            #expect(ResponseFields.name(bytes) == "-")
        }
        #expect(DNSMnemonics.rcode(3) == "NXDOMAIN" && DNSMnemonics.type(33) == "SRV" && DNSMnemonics.type(99) == "TYPE99")
    }
}
