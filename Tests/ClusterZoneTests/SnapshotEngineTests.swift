import ClusterModel
import ClusterZone
import DNSWire
import Foundation
import Testing

/// The engine's incremental snapshots against whole builds of the same objects: after every
/// random change, every name we can think of gets the same bytes from both.
@Suite("Snapshot engine")
struct SnapshotEngineTests {
    static let serial: UInt32 = 7

    /// Seeds 5 and 6 start from 400 other services, so shards are large enough that a change
    /// appends to them (old entries left behind) rather than copying them anew.
    @Test(arguments: [1, 2, 3, 4, 5, 6])
    func incrementalSnapshotsAnswerLikeWholeBuilds(seed: UInt64) throws {
        var random = SplitMix(seed: seed)
        let (engine, initial, configuration) = try RandomCluster.engine(seed: seed, serial: Self.serial)
        var state = initial
        var compiled: [Int] = []
        for step in 0..<60 {
            var delta = ClusterDelta()
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                RandomCluster.change(&delta, state: state, using: &random)
            }
            state = delta.applied(to: state)
            engine.apply(delta)
            let incremental = try engine.snapshot(serial: Self.serial, synced: true)
            let whole = try SnapshotBuilder(configuration: configuration).build(state: state, serial: Self.serial)
            #expect(incremental.nameCount == whole.nameCount, "step \(step)")
            #expect(incremental.problems.sorted() == whole.problems.sorted(), "step \(step)")
            #expect(incremental.autopathClientCount == whole.autopathClientCount, "step \(step)")
            try AnswerComparison.expectSame(incremental, whole, step: step)
            compiled.append(incremental.compiledNames)
        }
        // A change recompiles its own names (and the apex), not the registry's.
        let median = compiled.sorted()[compiled.count / 2]
        #expect(median < RandomCluster.nameEstimate(state) / 2, "compiled per step: \(compiled)")
    }

    @Test func aChangeRecompilesItsNamesOnly() throws {
        let (engine, first) = try RandomCluster.clusterIPServices(2000, namespaces: 20)
        #expect(first.nameCount > 6000)
        var change = ClusterDelta()
        let added = RandomCluster.clusterIP("late", "team-3", ip: "10.96.7.251")
        change.services[ClusterDelta.key(added)] = added
        engine.apply(change)
        let second = try engine.snapshot(serial: 2, synced: true)
        #expect(second.nameCount == first.nameCount + 4)
        // late.team-3, its _tcp, its _http._tcp, the PTR, and the apex names given again.
        #expect(second.compiledNames < 30, "compiled \(second.compiledNames)")
        let responder = try Responder(snapshot: second)
        let reply = try AnswerComparison.ask(responder, "late.team-3.svc.cluster.local", RecordType.a)
        #expect(reply.count > 12 && reply[3] & 0x0F == 0)
    }

    /// A change that dirties nearly every name (a first list arriving after an empty start, a
    /// namespace's worth of services replaced) compiles them all rather than collecting each:
    /// the names it took away must still leave the shards, and the next change is small again.
    @Test func aChangeOfNearlyEveryNameStillTakesAwayItsDeletions() throws {
        let configuration = try ZoneConfiguration(zone: DNSName("cluster.local"), ttl: 5)
        let engine = try SnapshotEngine(configuration: configuration)
        var state = ClusterState()
        func apply(_ delta: ClusterDelta) {
            state = delta.applied(to: state)
            engine.apply(delta)
        }
        var first = ClusterDelta()
        for index in 0..<300 {
            let service = RandomCluster.clusterIP("old-\(index)", "team-\(index % 3)", ip: "10.96.2.\(index % 250 + 1)")
            first.services[ClusterDelta.key(service)] = service
        }
        apply(first)
        _ = try engine.snapshot(serial: 1, synced: true)
        var big = ClusterDelta()
        for index in 0..<3000 {
            let service = RandomCluster.clusterIP("new-\(index)", "team-\(index % 7)", ip: "10.96.\(index / 250 + 10).\(index % 250 + 1)")
            big.services[ClusterDelta.key(service)] = service
        }
        apply(big)
        // Deleted once the names are all dirty, as pages of a first list come one by one.
        var deletions = ClusterDelta()
        for service in state.services where service.name.hasPrefix("old-") && service.name.hasSuffix("0") {
            deletions.services[ClusterDelta.key(service)] = .some(nil)
        }
        apply(deletions)
        let incremental = try engine.snapshot(serial: 1, synced: true)
        let whole = try SnapshotBuilder(configuration: configuration).build(state: state, serial: 1)
        #expect(incremental.nameCount == whole.nameCount)
        // Every name but the old services' that stayed (each its name, its _tcp, its
        // _http._tcp and its address), which are copied: the addresses with their shard of
        // the reverse table.
        let kept = state.services.filter { $0.name.hasPrefix("old-") }.count
        #expect(incremental.compiledNames >= incremental.nameCount - 4 * kept)
        #expect(incremental.compiledNames < incremental.nameCount)
        let left = try Responder(snapshot: incremental)
        let right = try Responder(snapshot: whole)
        for name in ["old-10.team-1.svc.cluster.local", "old-290.team-2.svc.cluster.local", "old-11.team-2.svc.cluster.local",
                     "new-2999.team-3.svc.cluster.local", "_tcp.old-20.team-2.svc.cluster.local", "10.2.96.10.in-addr.arpa",
                     "11.2.96.10.in-addr.arpa", "1.21.96.10.in-addr.arpa", "team-0.svc.cluster.local"] {
            for type in [RecordType.a, RecordType.srv, RecordType.ptr] {
                #expect(try AnswerComparison.ask(left, name, type) == AnswerComparison.ask(right, name, type), "\(name) type \(type)")
            }
        }
        let gone = try AnswerComparison.ask(left, "old-10.team-1.svc.cluster.local", RecordType.a)
        #expect(gone.count > 12 && gone[3] & 0x0F == 3)

        var small = ClusterDelta()
        let late = RandomCluster.clusterIP("late", "team-3", ip: "10.96.9.251")
        small.services[ClusterDelta.key(late)] = late
        apply(small)
        #expect(try engine.snapshot(serial: 1, synced: true).compiledNames < 30)
    }

    /// A service's own names are compiled from its records, not kept in the model: a static
    /// zone's alias to one of them reads it all the same, and is compiled again as it changes.
    @Test func anAliasIntoAServiceFollowsItsChanges() throws {
        let configuration = try ZoneConfiguration(zone: DNSName("cluster.local"), ttl: 5)
        let apex = try DNSName("example.test")
        let soa = SOAData(mname: try DNSName("ns.example.test"), rname: try DNSName("admin.example.test"),
                          serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum: 30)
        let zone = StaticZone(apex: apex, records: [
            Record(owner: apex, ttl: 30, data: .soa(soa)),
            Record(owner: try DNSName("www.example.test"), ttl: 30, data: .cname(try DNSName("web.team.svc.cluster.local"))),
        ], source: "test")
        let engine = try SnapshotEngine(configuration: configuration)
        engine.setStaticZones([zone])
        var state = ClusterState()
        let versions: [Service?] = [
            RandomCluster.clusterIP("web", "team", ip: "10.96.0.5"),
            RandomCluster.clusterIP("web", "team", ip: "10.96.0.6"),
            nil,
            RandomCluster.decode(Service.self, """
                {"metadata":{"name":"web","namespace":"team"},"spec":{"type":"ExternalName","externalName":"db.example.com"}}
                """),
            RandomCluster.clusterIP("web", "team", ip: "10.96.0.7"),
        ]
        for (step, version) in versions.enumerated() {
            var delta = ClusterDelta()
            delta.services["team/web"] = .some(version)
            state = delta.applied(to: state)
            engine.apply(delta)
            let incremental = try engine.snapshot(serial: Self.serial, synced: true)
            let whole = try SnapshotBuilder(configuration: configuration).build(
                state: state, staticZones: [zone], serial: Self.serial)
            let left = try Responder(snapshot: incremental)
            let right = try Responder(snapshot: whole)
            for name in ["www.example.test", "web.team.svc.cluster.local", "_http._tcp.web.team.svc.cluster.local"] {
                for type in [RecordType.a, RecordType.cname, RecordType.srv] {
                    #expect(try AnswerComparison.ask(left, name, type) == AnswerComparison.ask(right, name, type),
                            "step \(step): \(name) type \(type)")
                }
            }
            // The alias's A answer follows it: to the service's address, or its own alias, while
            // it exists.
            let reply = try AnswerComparison.ask(left, "www.example.test", RecordType.a)
            let answers = Int(reply[6]) << 8 | Int(reply[7])
            #expect(answers == (version == nil ? 1 : 2), "step \(step)")
            if let version, case .clusterIP(let ips) = version.dnsKind, let ip = IPAddress(ips[0]) {
                #expect(Array(reply.suffix(4)) == ip.bytes, "step \(step)")
            }
        }
    }

    /// A first list large enough to be compiled ahead, arriving in parts in any order (slices
    /// before and after their services, services of every kind): the snapshot that ends it
    /// answers as a whole build of the same objects does.
    @Test(arguments: [1, 2])
    func aFirstListCompiledAheadAnswersLikeAWholeBuild(seed: UInt64) throws {
        var random = SplitMix(seed: seed)
        let configuration = try ZoneConfiguration(zone: DNSName("cluster.local"), ttl: 5)
        let engine = try SnapshotEngine(configuration: configuration)
        _ = try engine.snapshot(serial: Self.serial, synced: false)
        var objects: [ClusterDelta] = []
        var state = ClusterState()
        let count = 9_000
        for index in 0..<count {
            let (name, namespace) = ("s\(index)", "team-\(index % 30)")
            let third = "\(index / 250).\(index % 250 + 1)"
            var delta = ClusterDelta()
            let service: Service
            switch index % 10 {
            case 0:
                service = RandomCluster.decode(Service.self, """
                    {"metadata":{"name":"\(name)","namespace":"\(namespace)"},
                     "spec":{"clusterIP":"None","ports":[{"name":"http","port":80,"protocol":"TCP"}]}}
                    """)
            case 1:
                service = RandomCluster.decode(Service.self, """
                    {"metadata":{"name":"\(name)","namespace":"\(namespace)"},
                     "spec":{"type":"ExternalName","externalName":"db\(index).example.com"}}
                    """)
            default:
                service = RandomCluster.clusterIP(name, namespace, ip: "10.96." + third)
            }
            delta.services[ClusterDelta.key(service)] = service
            objects.append(delta)
            if index % 10 < 3 {
                let slice = RandomCluster.decode(EndpointSlice.self, """
                    {"metadata":{"name":"\(name)-a","namespace":"\(namespace)",
                                 "labels":{"kubernetes.io/service-name":"\(name)"}},
                     "addressType":"IPv4","endpoints":[{"addresses":["10.244.\(third)"],"conditions":{"ready":true},
                       "hostname":"web-0"}],
                     "ports":[{"name":"http","port":8080,"protocol":"TCP"}]}
                    """)
                var sliceDelta = ClusterDelta()
                sliceDelta.endpointSlices[ClusterDelta.key(slice)] = slice
                objects.append(sliceDelta)
            }
        }
        objects.shuffle(using: &random)
        // Late in the list, some services again, changed or gone (a kind listed again after its
        // pages expired): compiled ahead already, their names must leave the builders.
        for index in stride(from: 2, to: count, by: 30) {
            var delta = ClusterDelta()
            let key = "team-\(index % 30)/s\(index)"
            delta.services[key] = index % 60 == 2
                ? .some(nil) : .some(RandomCluster.clusterIP("s\(index)", "team-\(index % 30)", ip: "10.97.0.\(index % 250 + 1)"))
            objects.append(delta)
        }
        var offset = 0
        while offset < objects.count {
            let size = Int.random(in: 100...1500, using: &random)
            var part = ClusterDelta()
            for delta in objects[offset..<min(offset + size, objects.count)] { part.merge(delta) }
            state = part.applied(to: state)
            engine.apply(part)
            try engine.compileAhead(expectedServices: count)
            offset += size
        }
        // Chunks of 2,048 services: at least two of the 7,200 that read no slices.
        #expect(engine.servicesCompiledAhead >= 4096)
        let snapshot = try engine.snapshot(serial: Self.serial, synced: true)
        let whole = try SnapshotBuilder(configuration: configuration).build(state: state, serial: Self.serial)
        #expect(snapshot.nameCount == whole.nameCount)
        let left = try Responder(snapshot: snapshot)
        let right = try Responder(snapshot: whole)
        var differing: [String] = []
        for index in stride(from: 0, to: count, by: 7) {
            let owner = "s\(index).team-\(index % 30).svc.cluster.local"
            for (name, type) in [(owner, RecordType.a), (owner, RecordType.cname), ("_http._tcp." + owner, RecordType.srv),
                                 ("web-0." + owner, RecordType.a)]
                where try AnswerComparison.ask(left, name, type) != AnswerComparison.ask(right, name, type) {
                differing.append("\(name) \(type)")
            }
        }
        #expect(differing.isEmpty, "\(differing.prefix(10))")
        #expect(engine.servicesCompiledAhead == 0)
    }

    /// A ClusterIP service's records read none of its endpoints: a slice's change leaves them.
    @Test func aSliceOfAClusterIPServiceRecompilesNone() throws {
        let (engine, _) = try RandomCluster.clusterIPServices(100, namespaces: 1)
        var change = ClusterDelta()
        var random = SplitMix(seed: 3)
        let slice = RandomCluster.randomSlice("svc-7", "team-0", using: &random)
        change.endpointSlices[ClusterDelta.key(slice)] = slice
        engine.apply(change)
        #expect(try engine.snapshot(serial: 1, synced: true).compiledNames == 0)
    }

    @Test func theSerialFollowsChangesAtMostOnceASecond() throws {
        let configuration = try ZoneConfiguration(zone: DNSName("cluster.local"), ttl: 5)
        let engine = try SnapshotEngine(configuration: configuration)
        func add(_ name: String) {
            var delta = ClusterDelta()
            let service = RandomCluster.clusterIP(name, "default", ip: "10.96.0.\(name.count)")
            delta.services[ClusterDelta.key(service)] = service
            engine.apply(delta)
        }
        add("a")
        #expect(try engine.snapshot(serial: 10, synced: true).serial == 10)
        add("bb")
        let burst = try engine.snapshot(serial: 11, synced: true)
        // The write is served at once; the serial (and the apex's shards) wait.
        #expect(burst.serial == 10)
        #expect(try AnswerComparison.ask(Responder(snapshot: burst), "bb.default.svc.cluster.local", RecordType.a)[3] & 0x0F == 0)
        #expect(engine.serialBehind)
        Thread.sleep(forTimeInterval: 1.1)
        let later = try engine.snapshot(serial: 12, synced: true)
        #expect(later.serial == 12)
        #expect(!engine.serialBehind)
    }
}

/// Small random clusters: few namespaces, services, addresses, so names collide often (two
/// services on one address, a pod in two headless services, aliases into our own zone).
enum RandomCluster {
    static let namespaces = ["n0", "n1", "n2"]
    static let services = ["s0", "s1", "s2", "s3", "s4"]

    static var candidateNames: [String] {
        var names = ["base-7.base.svc.cluster.local", "base-399.base.svc.cluster.local", "_http._tcp.base-3.base.svc.cluster.local",
                     "cluster.local", "svc.cluster.local", "pod.cluster.local", "ns.dns.cluster.local",
                     "dns-version.cluster.local", "in-addr.arpa", "10.in-addr.arpa", "96.10.in-addr.arpa",
                     "0.96.10.in-addr.arpa", "0.244.10.in-addr.arpa"]
        for namespace in namespaces {
            names += ["\(namespace).svc.cluster.local", "\(namespace).pod.cluster.local"]
            for last in 1...6 { names.append("10-244-0-\(last).\(namespace).pod.cluster.local") }
            for service in services {
                let owner = "\(service).\(namespace).svc.cluster.local"
                names += [owner, "_tcp.\(owner)", "_http._tcp.\(owner)", "_dns._udp.\(owner)", "_udp.\(owner)"]
                for host in ["web-0", "web-1", "10-244-0-1", "10-244-0-2", "10-244-0-3"] { names.append("\(host).\(owner)") }
            }
        }
        for last in 1...6 {
            names += ["\(last).0.96.10.in-addr.arpa", "\(last).0.244.10.in-addr.arpa"]
        }
        return names
    }

    /// An engine with `seed`'s configuration (verified pods on even seeds); seeds above 4 start
    /// from 400 other services, compiled once, so shards are large enough that a change appends
    /// to them (old entries left behind) rather than copying them anew.
    static func engine(seed: UInt64, serial: UInt32) throws -> (SnapshotEngine, ClusterState, ZoneConfiguration) {
        let configuration = try ZoneConfiguration(
            zone: DNSName("cluster.local"), ttl: 5, pods: seed % 2 == 0 ? .verified : .insecure, autopath: true)
        let engine = try SnapshotEngine(configuration: configuration)
        var state = ClusterState()
        if seed > 4 {
            var base = ClusterDelta()
            for index in 0..<400 {
                let service = clusterIP("base-\(index)", "base", ip: "10.96.1.\(index % 250 + 1)")
                base.services[ClusterDelta.key(service)] = service
            }
            state = base.applied(to: state)
            engine.apply(base)
            _ = try engine.snapshot(serial: serial, synced: true)
        }
        return (engine, state, configuration)
    }

    /// An engine with `count` ClusterIP services `svc-<i>` in `team-<i % namespaces>`, and the
    /// first snapshot it made of them.
    static func clusterIPServices(_ count: Int, namespaces: Int) throws -> (SnapshotEngine, ZoneSnapshot) {
        let engine = try SnapshotEngine(configuration: ZoneConfiguration(zone: DNSName("cluster.local"), ttl: 5))
        var delta = ClusterDelta()
        for index in 0..<count {
            let service = clusterIP("svc-\(index)", "team-\(index % namespaces)", ip: "10.96.\(index / 250).\(index % 250 + 1)")
            delta.services[ClusterDelta.key(service)] = service
        }
        engine.apply(delta)
        return (engine, try engine.snapshot(serial: 1, synced: true))
    }

    static func nameEstimate(_ state: ClusterState) -> Int {
        20 + state.services.count * 4 + state.endpointSlices.count * 4 + state.namespaceNames.count * 2
    }

    static func change(_ delta: inout ClusterDelta, state: ClusterState, using random: inout SplitMix) {
        let namespace = namespaces.randomElement(using: &random)!
        let service = services.randomElement(using: &random)!
        let key = "\(namespace)/\(service)"
        switch Int.random(in: 0..<10, using: &random) {
        case 0...3:
            delta.services[key] = .some(randomService(service, namespace, using: &random))
        case 4:
            delta.services[key] = .some(nil)
        case 5...6:
            let slice = randomSlice(service, namespace, using: &random)
            delta.endpointSlices[ClusterDelta.key(slice)] = .some(slice)
        case 7:
            delta.endpointSlices["\(namespace)/\(service)-a"] = .some(nil)
        case 8:
            let pod = randomPod(namespace, using: &random)
            delta.pods[ClusterDelta.key(pod)] = .some(Bool.random(using: &random) ? pod : nil)
        default:
            let object = Namespace(name: namespaces.randomElement(using: &random)!)
            delta.namespaces[ClusterDelta.key(object)] = .some(Bool.random(using: &random) ? object : nil)
        }
    }

    static func clusterIP(_ name: String, _ namespace: String, ip: String) -> Service {
        decode(Service.self, """
            {"metadata":{"name":"\(name)","namespace":"\(namespace)"},
             "spec":{"type":"ClusterIP","clusterIP":"\(ip)","clusterIPs":["\(ip)"],
                     "ports":[{"name":"http","port":80,"protocol":"TCP"}]}}
            """)
    }

    static func randomService(_ name: String, _ namespace: String, using random: inout SplitMix) -> Service {
        let last = Int.random(in: 1...6, using: &random)
        let ports = Bool.random(using: &random)
            ? #"[{"name":"http","port":80,"protocol":"TCP"},{"name":"dns","port":53,"protocol":"UDP"}]"#
            : #"[{"port":8080,"protocol":"TCP"}]"#
        switch Int.random(in: 0..<4, using: &random) {
        case 0:
            return decode(Service.self, """
                {"metadata":{"name":"\(name)","namespace":"\(namespace)"},
                 "spec":{"clusterIP":"None","ports":\(ports)}}
                """)
        case 1:
            let target = Bool.random(using: &random)
                ? "\(services.randomElement(using: &random)!).\(namespaces.randomElement(using: &random)!).svc.cluster.local"
                : "db.example.com"
            return decode(Service.self, """
                {"metadata":{"name":"\(name)","namespace":"\(namespace)"},
                 "spec":{"type":"ExternalName","externalName":"\(target)"}}
                """)
        default:
            return decode(Service.self, """
                {"metadata":{"name":"\(name)","namespace":"\(namespace)"},
                 "spec":{"clusterIP":"10.96.0.\(last)","clusterIPs":["10.96.0.\(last)"],"ports":\(ports)}}
                """)
        }
    }

    static func randomSlice(_ service: String, _ namespace: String, using random: inout SplitMix) -> EndpointSlice {
        var endpoints: [String] = []
        for index in 0..<Int.random(in: 0...3, using: &random) {
            let last = Int.random(in: 1...6, using: &random)
            let hostname = Bool.random(using: &random) ? #","hostname":"web-\#(index)""# : ""
            let ready = Int.random(in: 0..<5, using: &random) > 0
            endpoints.append("""
                {"addresses":["10.244.0.\(last)"],"conditions":{"ready":\(ready)}\(hostname),
                 "targetRef":{"kind":"Pod","namespace":"\(namespace)","name":"p\(last)"}}
                """)
        }
        return decode(EndpointSlice.self, """
            {"metadata":{"name":"\(service)-a","namespace":"\(namespace)",
                         "labels":{"kubernetes.io/service-name":"\(service)"}},
             "addressType":"IPv4","endpoints":[\(endpoints.joined(separator: ","))],
             "ports":[{"name":"http","port":8080,"protocol":"TCP"}]}
            """)
    }

    static func randomPod(_ namespace: String, using random: inout SplitMix) -> Pod {
        let last = Int.random(in: 1...6, using: &random)
        return decode(Pod.self, """
            {"metadata":{"name":"p\(last)","namespace":"\(namespace)"},
             "status":{"podIP":"10.244.0.\(last)","podIPs":[{"ip":"10.244.0.\(last)"}]}}
            """)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ json: String) -> T {
        try! JSONDecoder().decode(T.self, from: Data(json.utf8))
    }
}
