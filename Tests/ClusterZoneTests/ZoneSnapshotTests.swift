import ClusterModel
import ClusterZone
import DNSWire
import Testing

@Suite("Zone snapshot: SPEC.md sections 2 and 3")
struct ZoneSnapshotTests {
    /// Each test gets its own responder: it keeps per-loop state (the round-robin counter).
    let zone = try! TestZone()

    @Test("every row of the SPEC table", arguments: ZoneCases.all)
    func row(_ row: ZoneCase) throws {
        let response = try #require(try zone.ask(row.name, row.type))
        #expect(response.rcode == row.rcode)
        #expect(response.qr && response.aa && !response.ra && !response.tc)
        #expect(response.question.count == 1)
        #expect(Set(response.answer) == Set(row.answer))
        #expect(response.answer.count == row.answer.count)
        #expect(Set(response.authority) == Set(row.authority))
        #expect(Set(response.additional) == Set(row.additional))
        #expect(response.additional.count == row.additional.count)
    }

    @Test func tableCoversAtLeastSixtyCases() {
        #expect(ZoneCases.all.count >= 60)
    }

    @Test func ownerNamesEchoTheQuerySpelling() throws {
        let response = try #require(try zone.ask("PRODUCT-Service.EcOmMeRcE.svc.Cluster.Local", A))
        #expect(response.answer == ["PRODUCT-Service.EcOmMeRcE.svc.Cluster.Local. 5 IN A 10.96.228.69"])
        #expect(response.question.first?.hasPrefix("PRODUCT-Service.EcOmMeRcE.svc.Cluster.Local.") == true)
        let missing = try #require(try zone.ask("NoSuch.ECOMMERCE.svc.cluster.LOCAL", A))
        #expect(missing.authority.first?.hasPrefix("cluster.LOCAL. 5 IN SOA") == true)
    }

    @Test func multiRecordAnswersRotate() throws {
        var firsts = Set<String>()
        for _ in 0..<6 {
            let response = try #require(try zone.ask("web.test.svc.cluster.local", A))
            #expect(response.answer.count == 3)
            firsts.insert(response.answer[0])
        }
        #expect(firsts.count == 3)
    }

    @Test func recursionDesiredIsCopiedAndRecursionNotAvailable() throws {
        let packet = try QueryEncoder.query(name: "product-service.ecommerce.svc.cluster.local", type: A, recursionDesired: false)
        let response = try #require(try zone.send(packet))
        #expect(!response.rd && !response.ra && response.aa)
        #expect(response.id == 0x1234)
    }

    @Test func optIsEchoedWithOurSizeAndTheDOBit() throws {
        let edns = Query.EDNS(udpSize: 4096, version: 0, dnssecOK: true)
        let response = try #require(try zone.ask("product-service.ecommerce.svc.cluster.local", A, edns: edns))
        #expect(response.edns == Query.EDNS(udpSize: 1232, version: 0, dnssecOK: true))
        let plain = try #require(try zone.ask("product-service.ecommerce.svc.cluster.local", A))
        #expect(plain.edns == nil)
    }
}

@Suite("Zone snapshot: options")
struct ZoneOptionTests {
    @Test func verifiedPodsAnswerOnlyKnownPods() throws {
        let zone = try TestZone(pods: .verified)
        let known = try #require(try zone.ask("10-244-9-9.test.pod.cluster.local", A))
        #expect(known.answer == ["10-244-9-9.test.pod.cluster.local. 5 IN A 10.244.9.9"])
        #expect(try zone.ask("10-244-9-8.test.pod.cluster.local", A)?.rcode == 3)
        #expect(try zone.ask("10-244-9-9.ecommerce.pod.cluster.local", A)?.rcode == 3)
    }

    @Test func disabledPodsAreNXDOMAIN() throws {
        let zone = try TestZone(pods: .disabled)
        #expect(try zone.ask("10-244-0-5.ecommerce.pod.cluster.local", A)?.rcode == 3)
        #expect(try zone.ask("ecommerce.pod.cluster.local", A)?.rcode == 0)
    }

    @Test func ignoreEmptyServiceHidesClusterIPServicesWithoutEndpoints() throws {
        let zone = try TestZone(ignoreEmptyService: true)
        #expect(try zone.ask("lonely.test.svc.cluster.local", A)?.rcode == 3)
        #expect(try zone.ask("my-database.ecommerce.svc.cluster.local", A)?.answer.count == 1)
        #expect(try zone.ask("orders-db.ecommerce.svc.cluster.local", A)?.answer.count == 2)
    }

    @Test func endpointPodNamesNameEndpointsByTheirPod() throws {
        let zone = try TestZone(endpointPodNames: true)
        let response = try #require(try zone.ask("web-7d9f-abcde.web.test.svc.cluster.local", A))
        #expect(response.answer == ["web-7d9f-abcde.web.test.svc.cluster.local. 5 IN A 10.244.0.1"])
        #expect(try zone.ask("10-244-0-1.web.test.svc.cluster.local", A)?.rcode == 3)
        // A hostname still wins over the pod name.
        #expect(try zone.ask("web-1.web.test.svc.cluster.local", A)?.answer.count == 2)
    }

    @Test func beforeTheFirstSyncMissesAreSERVFAIL() throws {
        let zone = try TestZone(synced: false)
        let miss = try #require(try zone.ask("nothing.ecommerce.svc.cluster.local", A))
        #expect(miss.rcode == 2)
        #expect(miss.authority == [SOA.cluster])
        #expect(try zone.ask("nothere.example.internal", A)?.rcode == 3)
    }
}
