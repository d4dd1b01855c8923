import ClusterModel
import Foundation
import Synchronization
import Testing
@testable import Registry

/// The registry API under hostile input, over real HTTP on 127.0.0.1 with a real SQLite store.
/// After each batch: every answer was a 4xx `Status`, the server still answers, and the objects
/// it lists, before and after reopening its data directory, are exactly those of the valid writes.
@Suite("Registry API under hostile input")
struct HostileInputTests {
    static let services = "/api/v1/namespaces/default/services"
    static let namespaces = "/api/v1/namespaces"
    static let slices = "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices"
    static let pods = "/api/v1/namespaces/default/pods"

    static func service(_ name: String) -> String {
        #"{"metadata":{"name":"\#(name)"},"spec":{"ports":[{"port":80}]}}"#
    }

    /// Sends every request of `batch` (a few at a time), then checks that the server answers.
    static func send(_ batch: [HostileRequest], to registry: TestRegistry) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, request) in batch.enumerated() {
                if index >= 4 { try await group.next() }
                group.addTask { try await request.send(port: registry.port) }
            }
            try await group.waitForAll()
        }
        let health = try await registry.call(.GET, "/healthz")
        #expect(health.code == 200, "the server stopped answering after the batch")
    }

    /// The valid writes every test starts from: one of each kind, each with fields the registry
    /// does not model (kept, as `VerbTests` shows for services). Returns what was stored.
    static func validWrites(_ registry: TestRegistry, suffix: String = "") async throws -> [String: JSONValue] {
        var made: [String: JSONValue] = [:]
        let writes: [(String, String, String)] = [
            ("namespaces", namespaces, #"{"metadata":{"name":"ns\#(suffix)","labels":{"team":"a"}},"x-unknown":{"n":[1,2.5,"s",null,true]}}"#),
            ("services", services, #"{"metadata":{"name":"web\#(suffix)"},"spec":{"ports":[{"port":80}],"x-unknown":"kept"}}"#),
            ("endpointslices", slices, #"{"metadata":{"name":"web\#(suffix)-a"},"addressType":"IPv4","endpoints":[{"addresses":["10.244.0.9"],"x-unknown":1}],"ports":[{"port":8080}]}"#),
            ("pods", pods, #"{"metadata":{"name":"pod\#(suffix)"},"status":{"podIP":"10.244.0.9","x-unknown":{}}}"#),
        ]
        for (resource, path, body) in writes {
            let answer = try await registry.call(.POST, path, body)
            guard answer.code == 201 else { throw TestFailure("valid write \(body) answered \(answer.code): \(answer.json)") }
            made[TestRegistry.key(resource, answer.json)] = answer.json
        }
        return made
    }

    @Test func malformedAndTruncatedJSON() async throws {
        try await TestRegistry.withReopenCheck { registry in
            var expected = try await registry.contents()
            expected.merge(try await Self.validWrites(registry)) { _, new in new }
            let valid = Self.service("cut")
            var batch: [HostileRequest] = [
                .post("empty body", "", codes: [400]),
                .post("open brace", "{", codes: [400]),
                .post("unterminated object", #"{"metadata":{"name":"bad""#, codes: [400]),
                .post("trailing garbage", Self.service("bad") + "}", codes: [400]),
                .post("two documents", Self.service("bad") + Self.service("bad2"), codes: [400]),
                .post("trailing comma", #"{"metadata":{"name":"bad"},}"#, codes: [400]),
                .post("single quotes", #"{'metadata':{'name':'bad'}}"#, codes: [400]),
                .post("bare word", "nul", codes: [400]),
                .post("comment", "/* */" + Self.service("bad"), codes: [400]),
                .post("array body", "[]", codes: [400]),
                .post("string body", #""service""#, codes: [400]),
                .post("number body", "42", codes: [400]),
                .post("null body", "null", codes: [400]),
                .post("metadata a number", #"{"metadata":5}"#, codes: [400]),
                .post("ports a string", #"{"metadata":{"name":"bad"},"spec":{"ports":"80"}}"#, codes: [400]),
                .post("port a string", #"{"metadata":{"name":"bad"},"spec":{"ports":[{"port":"eighty"}]}}"#, codes: [400]),
                .post("port out of Int64", #"{"metadata":{"name":"bad"},"spec":{"ports":[{"port":1e999}]}}"#, codes: [400]),
                .post("a thousand-digit port", #"{"metadata":{"name":"bad"},"spec":{"ports":[{"port":\#(String(repeating: "9", count: 1000))}]}}"#, codes: [400]),
                .post("labels not strings", #"{"metadata":{"name":"bad","labels":{"a":1}},"spec":{"ports":[{"port":80}]}}"#, codes: [400]),
                .to("POST", Self.namespaces, "namespace labels not strings", #"{"metadata":{"name":"bad","labels":{"a":1}}}"#, codes: [400]),
                .to("POST", Self.namespaces, "namespace annotations a string", #"{"metadata":{"name":"bad","annotations":"x"}}"#, codes: [400]),
                .to("POST", Self.namespaces, "namespace name a list", #"{"metadata":{"name":["bad"]}}"#, codes: [400]),
                .to("POST", Self.slices, "slice endpoints an object", #"{"metadata":{"name":"bad"},"addressType":"IPv4","endpoints":{}}"#, codes: [400]),
                .to("POST", Self.pods, "pod IP a number", #"{"metadata":{"name":"bad"},"status":{"podIP":10}}"#, codes: [400]),
                .to("PUT", "\(Self.services)/web", "PUT garbage", "{]", codes: [400]),
                .to("PATCH", "\(Self.services)/web", "PATCH garbage", "{]", codes: [400], contentType: "application/merge-patch+json"),
                .to("PATCH", "\(Self.services)/web", "PATCH labels to a number", #"{"metadata":{"labels":{"a":1}}}"#, codes: [400], contentType: "application/merge-patch+json"),
                .to("DELETE", "\(Self.services)/web", "DELETE options garbage", "{", codes: [400]),
                // HTTP-level: a Content-Length shorter than the body hands the server a cut JSON.
                HostileRequest("Content-Length too short", RawHTTP.request("POST", Self.services, body: Array(valid.utf8), contentLength: 12), codes: [400]),
                // The body ends before its Content-Length: the client gives up sending.
                HostileRequest(
                    "body shorter than Content-Length",
                    RawHTTP.request("POST", Self.services, body: Array(valid.utf8.prefix(20)), contentLength: valid.utf8.count),
                    codes: [400], halfClose: true),
            ]
            // The valid body cut at every point: never valid JSON, never stored.
            for cut in stride(from: 1, to: valid.utf8.count, by: 3) {
                batch.append(.post("cut at \(cut)", bytes: Array(valid.utf8.prefix(cut)), codes: [400]))
            }
            try await Self.send(batch, to: registry)
            return expected
        }
    }

    @Test func wrongKindsVersionsAndPaths() async throws {
        try await TestRegistry.withReopenCheck { registry in
            var expected = try await registry.contents()
            expected.merge(try await Self.validWrites(registry)) { _, new in new }
            let batch: [HostileRequest] = [
                .post("a Pod posted as a service", #"{"kind":"Pod","apiVersion":"v1","metadata":{"name":"bad"}}"#, codes: [400]),
                .post("apiVersion v2", #"{"kind":"Service","apiVersion":"v2","metadata":{"name":"bad"},"spec":{"ports":[{"port":80}]}}"#, codes: [400]),
                .post("service in the discovery group", #"{"kind":"Service","apiVersion":"discovery.k8s.io/v1","metadata":{"name":"bad"},"spec":{"ports":[{"port":80}]}}"#, codes: [400]),
                .post("kind a number", #"{"kind":5,"metadata":{"name":"bad"},"spec":{"ports":[{"port":80}]}}"#, codes: [400]),
                .post("apiVersion an object", #"{"apiVersion":{"v":1},"metadata":{"name":"bad"},"spec":{"ports":[{"port":80}]}}"#, codes: [400]),
                .to("POST", Self.slices, "a Service posted as a slice", #"{"kind":"Service","apiVersion":"v1","metadata":{"name":"bad"}}"#, codes: [400]),
                .to("POST", Self.slices, "a slice with apiVersion v1", #"{"kind":"EndpointSlice","apiVersion":"v1","metadata":{"name":"bad"},"addressType":"IPv4"}"#, codes: [400]),
                .to("POST", "/api/v1/namespaces/default/endpointslices", "slices under the core group", #"{"metadata":{"name":"bad"},"addressType":"IPv4"}"#, codes: [404]),
                .to("POST", "/api/v1/namespaces/default/widgets", "unknown resource", #"{"metadata":{"name":"bad"}}"#, codes: [404]),
                .to("POST", "/apis/apps/v1/namespaces/default/deployments", "unknown group", #"{"metadata":{"name":"bad"}}"#, codes: [404]),
                .post("namespace mismatch", #"{"metadata":{"name":"bad","namespace":"kube-system"},"spec":{"ports":[{"port":80}]}}"#, codes: [400]),
                .to("POST", "/api/v1/namespaces/nowhere/services", "namespace that does not exist", Self.service("bad"), codes: [404]),
                .to("POST", "\(Self.services)/web", "POST on an object path", Self.service("web"), codes: [405]),
                .to("PUT", "\(Self.services)/web", "PUT renaming", Self.service("other"), codes: [400]),
                .to("PUT", "\(Self.services)/missing", "PUT of a missing object", Self.service("missing"), codes: [404]),
                .to("PATCH", "\(Self.services)/web", "PATCH as JSON patch", #"[{"op":"remove","path":"/spec"}]"#, codes: [415], contentType: "application/json-patch+json"),
                .to("PATCH", "\(Self.services)/web", "PATCH changing the kind", #"{"kind":"Pod"}"#, codes: [400], contentType: "application/merge-patch+json"),
                .to("PUT", Self.services, "PUT on a collection", Self.service("bad"), codes: [405]),
                .to("POST", "\(Self.services)?dryRun=All", "dry run", Self.service("bad"), codes: [400]),
                HostileRequest("watch from a negative version", RawHTTP.request("GET", "\(Self.services)?watch=true&resourceVersion=-1"), codes: [400]),
                HostileRequest("watch from a version past Int64", RawHTTP.request("GET", "\(Self.services)?watch=true&resourceVersion=99999999999999999999"), codes: [400]),
                HostileRequest("watch from a word", RawHTTP.request("GET", "\(Self.services)?watch=true&resourceVersion=abc"), codes: [400]),
                HostileRequest("set-based selector", RawHTTP.request("GET", "\(Self.services)?labelSelector=app%20in%20(a)"), codes: [400]),
            ]
            try await Self.send(batch, to: registry)
            return expected
        }
    }

    @Test func invalidUTF8() async throws {
        try await TestRegistry.withReopenCheck { registry in
            var expected = try await registry.contents()
            expected.merge(try await Self.validWrites(registry)) { _, new in new }
            let sequences: [(String, [UInt8])] = [
                ("0xFF", [0xFF]), ("0xFE 0xFF", [0xFE, 0xFF]), ("overlong slash", [0xC0, 0xAF]),
                ("cut 3-byte sequence", [0xE2, 0x82]), ("UTF-16 surrogate as UTF-8", [0xED, 0xA0, 0x80]),
                ("above U+10FFFF", [0xF4, 0x90, 0x80, 0x80]), ("lone continuation byte", [0x80]),
            ]
            var batch: [HostileRequest] = []
            for (label, bytes) in sequences {
                // In the name, in an annotation, and in a key: wherever it is, the body is refused.
                let inName = Array(#"{"metadata":{"name":"bad"#.utf8) + bytes + Array(#""},"spec":{"ports":[{"port":80}]}}"#.utf8)
                let inValue = Array(#"{"metadata":{"name":"bad","annotations":{"a":""#.utf8) + bytes
                    + Array(#""}},"spec":{"ports":[{"port":80}]}}"#.utf8)
                let inKey = Array(#"{"metadata":{"name":"bad","labels":{""#.utf8) + bytes
                    + Array(#"":"v"}},"spec":{"ports":[{"port":80}]}}"#.utf8)
                batch.append(.post("\(label) in the name", bytes: inName, codes: [400]))
                batch.append(.post("\(label) in an annotation", bytes: inValue, codes: [400]))
                batch.append(.post("\(label) in a label key", bytes: inKey, codes: [400]))
                batch.append(.to("POST", Self.namespaces, "\(label) in a namespace", bytes: inValue, codes: [400]))
            }
            // Escapes that name no character: a lone surrogate is not a Unicode scalar.
            batch.append(.post("lone high surrogate escape", #"{"metadata":{"name":"bad","annotations":{"a":"\ud800"}},"spec":{"ports":[{"port":80}]}}"#, codes: [400]))
            batch.append(.post("lone low surrogate escape", #"{"metadata":{"name":"bad","annotations":{"a":"\udc00x"}},"spec":{"ports":[{"port":80}]}}"#, codes: [400]))
            batch.append(.post("bad escape", #"{"metadata":{"name":"bad\q"},"spec":{"ports":[{"port":80}]}}"#, codes: [400]))
            batch.append(.post("raw control character", "{\"metadata\":{\"name\":\"bad\u{01}\"},\"spec\":{\"ports\":[{\"port\":80}]}}", codes: [400]))
            try await Self.send(batch, to: registry)
            return expected
        }
    }

    @Test func deepNestingIsRefusedEarly() async throws {
        try await TestRegistry.withReopenCheck { registry in
            var expected = try await registry.contents()
            expected.merge(try await Self.validWrites(registry)) { _, new in new }
            func nested(_ depth: Int, open: String, close: String, inner: String = "1") -> String {
                String(repeating: open, count: depth) + inner + String(repeating: close, count: depth)
            }
            let batch: [HostileRequest] = [
                .post("100,000 [", String(repeating: "[", count: 100_000), codes: [400]),
                .post("100,000 {\"a\":", String(repeating: #"{"a":"#, count: 100_000), codes: [400]),
                .post("100,000 balanced []", nested(100_000, open: "[", close: "]"), codes: [400]),
                .post("100,000 [ in a field", #"{"metadata":{"name":"bad"},"x":"# + String(repeating: "[", count: 100_000), codes: [400]),
                .post("1,000 balanced [] in an unknown field",
                      #"{"metadata":{"name":"bad"},"spec":{"ports":[{"port":80}]},"x":\#(nested(1000, open: "[", close: "]"))}"#, codes: [400]),
                // Within what the JSON decoder itself takes (512 levels), but no longer readable
                // once a list or a watch event wraps it: it must not be stored.
                .post("510 levels in an unknown field",
                      #"{"metadata":{"name":"bad"},"spec":{"ports":[{"port":80}]},"x":\#(nested(510, open: "[", close: "]"))}"#, codes: [400]),
                .to("POST", Self.namespaces, "510 levels in a namespace",
                      #"{"metadata":{"name":"bad"},"x":\#(nested(510, open: #"{"a":"#, close: "}"))}"#, codes: [400]),
                .post("600 balanced objects in an unknown field",
                      #"{"metadata":{"name":"bad"},"spec":{"ports":[{"port":80}]},"x":\#(nested(600, open: #"{"a":"#, close: "}"))}"#, codes: [400]),
                .to("POST", Self.namespaces, "deep namespace",
                      #"{"metadata":{"name":"bad"},"x":\#(nested(5000, open: "[", close: "]"))}"#, codes: [400]),
                .to("PUT", "\(Self.services)/web", "deep PUT",
                      #"{"metadata":{"name":"web"},"spec":{"ports":[{"port":80}]},"x":\#(nested(50_000, open: "[", close: "]"))}"#, codes: [400]),
                .to("PATCH", "\(Self.services)/web", "deep PATCH", #"{"x":\#(nested(50_000, open: #"{"a":"#, close: "}"))}"#,
                      codes: [400], contentType: "application/merge-patch+json"),
                .to("DELETE", "\(Self.services)/web", "deep DELETE options", nested(100_000, open: "[", close: "]"), codes: [400]),
                // Brackets inside strings are text, not depth: this one is refused for its name only.
                .post("brackets in a string", #"{"metadata":{"name":"\#(String(repeating: "[", count: 100_000))"},"spec":{"ports":[{"port":80}]}}"#, codes: [422]),
            ]
            try await Self.send(batch, to: registry)

            // Nesting a real object needs stays fine, and what is stored reads back whole.
            let moderate = nested(30, open: #"{"a":"#, close: "}")
            let answer = try await registry.call(
                .POST, Self.services, #"{"metadata":{"name":"nested"},"spec":{"ports":[{"port":80}]},"x":\#(moderate)}"#)
            #expect(answer.code == 201, "\(answer.json)")
            expected[TestRegistry.key("services", answer.json)] = answer.json
            return expected
        }
    }

    @Test func oversizedBodiesAndHugeStrings() async throws {
        let limit = 3 * 1024 * 1024
        try await TestRegistry.withReopenCheck { registry in
            var expected = try await registry.contents()
            expected.merge(try await Self.validWrites(registry)) { _, new in new }
            let over = #"{"metadata":{"name":"big","annotations":{"a":""# + String(repeating: "x", count: limit) + #""}}}"#
            let megabyte = String(repeating: "a", count: 1024 * 1024)
            let batch: [HostileRequest] = [
                .post("over the limit with Content-Length", over, codes: [413]),
                HostileRequest("over the limit, chunked", RawHTTP.request("POST", Self.services, body: Array(over.utf8), chunked: true), codes: [413]),
                HostileRequest("a Content-Length of 1 TB", RawHTTP.request("POST", Self.services, body: Array("{}".utf8), contentLength: 1 << 40), codes: [413]),
                .to("PUT", "\(Self.services)/web", "over the limit on PUT", over, codes: [413]),
                .post("a 1 MiB name", Self.service(megabyte), codes: [422]),
                .to("POST", Self.namespaces, "a 1 MiB namespace name", #"{"metadata":{"name":"\#(megabyte)"}}"#, codes: [422]),
                .post("a 1 MiB generateName", #"{"metadata":{"generateName":"\#(megabyte)"},"spec":{"ports":[{"port":80}]}}"#, codes: [422]),
                .post("a 1 MiB external name", #"{"metadata":{"name":"bad"},"spec":{"type":"ExternalName","externalName":"\#(megabyte)"}}"#, codes: [422]),
                .post("a 1 MiB port name", #"{"metadata":{"name":"bad"},"spec":{"ports":[{"name":"\#(megabyte)","port":80}]}}"#, codes: [422]),
                .to("POST", Self.slices, "a 1 MiB address", #"{"metadata":{"name":"bad"},"addressType":"IPv4","endpoints":[{"addresses":["\#(megabyte)"]}]}"#, codes: [422]),
                .to("PUT", "\(Self.services)/web", "a 1 MiB resourceVersion", #"{"metadata":{"name":"web","resourceVersion":"\#(megabyte)"},"spec":{"ports":[{"port":80}]}}"#, codes: [409]),
            ]
            try await Self.send(batch, to: registry)

            // A large value under the limit is a valid write and comes back whole.
            let answer = try await registry.call(
                .POST, Self.services,
                #"{"metadata":{"name":"large","annotations":{"a":"\#(String(repeating: "y", count: 2 * 1024 * 1024))"}},"spec":{"ports":[{"port":80}]}}"#)
            #expect(answer.code == 201)
            #expect(answer.json.at("metadata", "annotations", "a")?.string?.count == 2 * 1024 * 1024)
            expected[TestRegistry.key("services", answer.json)] = answer.json
            return expected
        }
    }

    @Test func watchFanOutBeyondTheCap() async throws {
        let cap = 12
        let extra = 20
        try await TestRegistry.withReopenCheck({ $0.maxWatchers = cap }) { registry in
            var expected = try await registry.contents()
            let port = registry.port
            let path = "\(Self.services)?watch=true&resourceVersion=\(try await registry.resourceVersion())&timeoutSeconds=60"
            // All at once, each on its own connection.
            let connections = try await withThrowingTaskGroup(of: (RawHTTPConnection, Int, RawHTTPConnection.Reader?).self) { group in
                for _ in 0..<(cap + extra) {
                    group.addTask {
                        try await offCooperativePool {
                            let connection = try RawHTTPConnection(port: port, timeoutSeconds: 20)
                            connection.send(RawHTTP.request("GET", path))
                            guard let head = connection.readHead() else { throw TestFailure("a watch got no answer") }
                            return (connection, head.code, head.code == 200 ? head.reader : nil)
                        }
                    }
                }
                var all: [(RawHTTPConnection, Int, RawHTTPConnection.Reader?)] = []
                for try await result in group { all.append(result) }
                return all
            }
            #expect(connections.filter { $0.1 == 200 }.count == cap)
            #expect(connections.filter { $0.1 == 429 }.count == extra)
            #expect(connections.allSatisfy { $0.1 == 200 || $0.1 == 429 })
            // The refused ones got a TooManyRequests Status.
            for request in 0..<2 {
                try await HostileRequest("watch \(request) over the cap", RawHTTP.request("GET", path), codes: [429]).send(port: port)
            }
            #expect(registry.server.store.hub.count == cap)

            // The admitted ones all see the next writes.
            for name in ["after-1", "after-2"] {
                let created = try await registry.call(.POST, Self.services, Self.service(name))
                #expect(created.code == 201)
                expected[TestRegistry.key("services", created.json)] = created.json
            }
            let admitted = connections.filter { $0.1 == 200 }
            let seen = try await withThrowingTaskGroup(of: [String].self) { group in
                for (_, _, reader) in admitted {
                    guard let reader else { continue }
                    group.addTask {
                        try await offCooperativePool {
                            var reader = reader
                            return reader.readEvents(count: 2).map {
                                "\($0["type"]?.string ?? "") \($0.at("object", "metadata", "name")?.string ?? "")"
                            }
                        }
                    }
                }
                var all: [[String]] = []
                for try await events in group { all.append(events) }
                return all
            }
            #expect(seen.count == cap)
            #expect(seen.allSatisfy { $0 == ["ADDED after-1", "ADDED after-2"] }, "\(seen)")

            // Hanging up frees the slots: a new watch is admitted again.
            for (connection, _, _) in connections { connection.finishSending() }
            withExtendedLifetime(connections) {}
            let deadline = ContinuousClock.now + .seconds(10)
            while registry.server.store.hub.count > 0 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(registry.server.store.hub.count == 0)
            let now = try await registry.resourceVersion()
            let again = try await registry.watch("\(Self.services)?watch=true&resourceVersion=\(now)&timeoutSeconds=1", count: 1)
            #expect(again.isEmpty)
            return expected
        }
    }

    @Test func hostileAndValidWritesConcurrently() async throws {
        try await TestRegistry.withReopenCheck { registry in
            var expected = try await registry.contents()
            let start = try await registry.resourceVersion()
            let hostile: [HostileRequest] = [
                .post("cut JSON", #"{"metadata":{"name":"h"#, codes: [400]),
                .post("deep", String(repeating: "[", count: 100_000), codes: [400]),
                .post("invalid UTF-8", bytes: Array(#"{"metadata":{"name":"h\#u{FF}"#.utf8) + [0xFF] + Array(#""},"spec":{"ports":[{"port":80}]}}"#.utf8), codes: [400]),
                .post("wrong kind", #"{"kind":"Pod","metadata":{"name":"h"}}"#, codes: [400]),
                .post("bad name", Self.service("H_"), codes: [422]),
                .post("over the limit", #"{"x":""# + String(repeating: "x", count: 3 * 1024 * 1024) + #""}"#, codes: [413]),
                .to("POST", Self.namespaces, "namespace labels not strings", #"{"metadata":{"name":"h","labels":{"a":[]}}}"#, codes: [400]),
                .post("taken name", Self.service("w0-0"), codes: [409]),
            ]
            let writers = 4
            let perWriter = 10
            // The first valid write exists before the storm, so "taken name" is always a conflict.
            let first = try await registry.call(.POST, Self.services, Self.service("w0-0"))
            #expect(first.code == 201)
            let made = Mutex<[JSONValue]>([])
            let events = try await registry.watch(
                "\(Self.services)?watch=true&resourceVersion=\(start)", count: writers * perWriter
            ) {
                let written = try await withThrowingTaskGroup(of: [JSONValue].self) { group in
                    for writer in 0..<writers {
                        group.addTask {
                            var made: [JSONValue] = []
                            for index in 0..<perWriter where !(writer == 0 && index == 0) {
                                let answer = try await registry.call(.POST, Self.services, Self.service("w\(writer)-\(index)"))
                                guard answer.code == 201 else { throw TestFailure("valid write answered \(answer.code): \(answer.json)") }
                                made.append(answer.json)
                            }
                            return made
                        }
                        group.addTask {
                            for round in 0..<3 {
                                for request in hostile.shuffled() {
                                    var labelled = request
                                    labelled.label = "\(request.label) (writer \(writer), round \(round))"
                                    try await labelled.send(port: registry.port)
                                }
                            }
                            return []
                        }
                    }
                    var all: [JSONValue] = []
                    for try await made in group { all += made }
                    return all
                }
                made.withLock { $0 = written }
            }
            for object in made.withLock({ $0 }) { expected[TestRegistry.key("services", object)] = object }
            expected[TestRegistry.key("services", first.json)] = first.json
            // The watch saw the valid writes, once each, and nothing of the hostile ones.
            #expect(events.count == writers * perWriter)
            #expect(events.allSatisfy { $0["type"] == "ADDED" })
            let names = events.compactMap { $0.at("object", "metadata", "name")?.string }
            #expect(Set(names) == Set((0..<writers).flatMap { writer in (0..<perWriter).map { "w\(writer)-\($0)" } }))
            #expect(try await registry.call(.GET, "/healthz").code == 200)
            return expected
        }
    }
}
