import ClusterModel
import Foundation
import Testing

@Suite("Watch consistency under concurrent writers")
struct WatchConsistencyTests {
    static let services = "/api/v1/namespaces/default/services"

    @Test func concurrentWritesReachAWatchOnceInOrder() async throws {
        try await TestRegistry.with { registry in
            let start = try await registry.resourceVersion()
            // Four writers race while the watch is already open: every write must arrive once.
            let events = try await registry.watch("\(Self.services)?watch=true&resourceVersion=\(start)", count: 100) {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for writer in 0..<4 {
                        group.addTask {
                            for index in 0..<25 {
                                let answer = try await registry.call(
                                    .POST, Self.services,
                                    #"{"metadata":{"name":"w\#(writer)-\#(index)"},"spec":{"ports":[{"port":80}]}}"#)
                                guard answer.code == 201 else { throw TestFailure("write answered \(answer.code)") }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            let versions = events.compactMap { $0.at("object", "metadata", "resourceVersion")?.string }.compactMap(Int64.init)
            #expect(versions.count == 100)
            #expect(versions == versions.sorted())
            #expect(Set(versions).count == 100)
            let names = Set(events.compactMap { $0.at("object", "metadata", "name")?.string })
            #expect(names.count == 100)
        }
    }

    @Test func initialEventsEndWithAnAnnotatedBookmark() async throws {
        try await TestRegistry.with { registry in
            for name in ["a", "b"] {
                _ = try await registry.call(
                    .POST, Self.services, #"{"metadata":{"name":"\#(name)"},"spec":{"ports":[{"port":80}]}}"#)
            }
            let now = try await registry.resourceVersion()
            let events = try await registry.watch(
                "\(Self.services)?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan",
                count: 3)
            #expect(events.compactMap { $0["type"]?.string } == ["ADDED", "ADDED", "BOOKMARK"])
            #expect(events.last?.at("object", "metadata", "annotations", "k8s.io/initial-events-end") == "true")
            #expect(events.last?.at("object", "metadata", "resourceVersion") == .string(String(now)))
        }
    }
}
