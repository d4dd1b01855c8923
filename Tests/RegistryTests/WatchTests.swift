import ClusterModel
import Foundation
import Testing
@testable import Registry

@Suite("Watch: events from a resourceVersion, 410 Gone, bookmarks, limits")
struct WatchTests {
    static let services = "/api/v1/namespaces/default/services"

    static func service(_ name: String) -> String {
        #"{"metadata":{"name":"\#(name)"},"spec":{"ports":[{"port":80}]}}"#
    }

    @Test func watchFromAVersionReplaysWhatFollowed() async throws {
        try await TestRegistry.with { registry in
            let start = try await registry.resourceVersion()
            let created = try await registry.call(.POST, Self.services, Self.service("a"))
            var changed = created.json
            changed["metadata"]?["labels"] = ["v": "2"]
            _ = try await registry.call(.PUT, "\(Self.services)/a", String(decoding: try JSONEncoder().encode(changed), as: UTF8.self))
            _ = try await registry.call(.DELETE, "\(Self.services)/a")
            _ = try await registry.call(.POST, "/api/v1/namespaces", #"{"metadata":{"name":"other"}}"#)

            let events = try await registry.watch("/api/v1/services?watch=true&resourceVersion=\(start)", count: 3)
            #expect(events.compactMap { $0["type"]?.string } == ["ADDED", "MODIFIED", "DELETED"])
            let versions = events.compactMap { $0.at("object", "metadata", "resourceVersion")?.string }.compactMap(Int64.init)
            #expect(versions == versions.sorted() && Set(versions).count == 3)
            #expect(events[2].at("object", "metadata", "name") == "a")
        }
    }

    @Test func watchFollowsLiveWritesAfterTheCurrentObjects() async throws {
        try await TestRegistry.with { registry in
            _ = try await registry.call(.POST, Self.services, Self.service("before"))
            let events = try await registry.watch("\(Self.services)?watch=true", count: 3) {
                _ = try await registry.call(.POST, Self.services, Self.service("after"))
                _ = try await registry.call(.DELETE, "\(Self.services)/before")
            }
            #expect(events.map { "\($0["type"]?.string ?? "") \($0.at("object", "metadata", "name")?.string ?? "")" }
                == ["ADDED before", "ADDED after", "DELETED before"])
        }
    }

    @Test func namespaceAndSelectorsScopeAWatch() async throws {
        try await TestRegistry.with { registry in
            _ = try await registry.call(.POST, "/api/v1/namespaces", #"{"metadata":{"name":"prod"}}"#)
            let start = try await registry.resourceVersion()
            _ = try await registry.call(.POST, "/api/v1/namespaces/prod/services", Self.service("p"))
            _ = try await registry.call(.POST, Self.services, Self.service("d"))
            _ = try await registry.call(.POST, Self.services, Self.service("e"))
            let events = try await registry.watch(
                "\(Self.services)?watch=true&resourceVersion=\(start)&fieldSelector=metadata.name%3De&timeoutSeconds=1",
                count: 5)
            #expect(events.compactMap { $0.at("object", "metadata", "name")?.string } == ["e"])
        }
    }

    @Test func tooOldAVersionGets410() async throws {
        try await TestRegistry.with({ $0.historyLimit = 3 }) { registry in
            for index in 0..<6 { _ = try await registry.call(.POST, Self.services, Self.service("s\(index)")) }
            let events = try await registry.watch("/api/v1/services?watch=true&resourceVersion=1", count: 1)
            #expect(events.first?["type"] == "ERROR")
            #expect(events.first?.at("object", "kind") == "Status")
            #expect(events.first?.at("object", "code") == .int(410))
            #expect(events.first?.at("object", "message")?.string?.hasPrefix("too old resource version: 1") == true)
            // The kept history still serves a recent version.
            let recent = try await registry.resourceVersion() - 2
            let replay = try await registry.watch("/api/v1/services?watch=true&resourceVersion=\(recent)", count: 2)
            #expect(replay.compactMap { $0["type"]?.string } == ["ADDED", "ADDED"])
        }
    }

    @Test func bookmarksCarryTheCurrentVersion() async throws {
        try await TestRegistry.with({ $0.bookmarkInterval = .milliseconds(100) }) { registry in
            _ = try await registry.call(.POST, Self.services, Self.service("a"))
            let now = try await registry.resourceVersion()
            let events = try await registry.watch(
                "\(Self.services)?watch=true&resourceVersion=\(now)&allowWatchBookmarks=true", count: 2)
            #expect(events.compactMap { $0["type"]?.string } == ["BOOKMARK", "BOOKMARK"])
            #expect(events[0].at("object", "metadata", "resourceVersion") == .string(String(now)))
            #expect(events[0].at("object", "kind") == "Service")
        }
    }

    /// A quiet kind's watcher would otherwise resume from its last periodic bookmark, which
    /// other kinds' churn may have pushed out of the history: a 410 and a whole relist.
    @Test func aWatchThatTimesOutEndsWithABookmarkAtTheNewestVersion() async throws {
        try await TestRegistry.with({ $0.bookmarkInterval = .seconds(60); $0.historyLimit = 3 }) { registry in
            let start = try await registry.resourceVersion()
            for index in 0..<6 { _ = try await registry.call(.POST, Self.services, Self.service("s\(index)")) }
            let newest = try await registry.resourceVersion()
            // Namespaces did not change: the stream has nothing to send but the last bookmark,
            // at the version the other kinds' events brought it to.
            let events = try await registry.watch(
                "/api/v1/namespaces?watch=true&resourceVersion=\(newest - 2)&allowWatchBookmarks=true&timeoutSeconds=1",
                count: 100)
            #expect(events.compactMap { $0["type"]?.string } == ["BOOKMARK"])
            #expect(events.last?.at("object", "metadata", "resourceVersion") == .string(String(newest)))
            #expect(events.last?.at("object", "kind") == "Namespace")
            // The history (3 events) no longer reaches `start`, but it does reach the bookmark.
            let resumed = try await registry.watch(
                "/api/v1/namespaces?watch=true&resourceVersion=\(newest)&timeoutSeconds=1", count: 100)
            #expect(resumed.isEmpty)
            let stale = try await registry.watch("/api/v1/namespaces?watch=true&resourceVersion=\(start)", count: 1)
            #expect(stale.first?.at("object", "code") == .int(410))
        }
    }

    @Test func noBookmarksUnlessAskedAndTimeoutEndsTheStream() async throws {
        try await TestRegistry.with({ $0.bookmarkInterval = .milliseconds(50) }) { registry in
            let now = try await registry.resourceVersion()
            let started = ContinuousClock.now
            let events = try await registry.watch(
                "\(Self.services)?watch=true&resourceVersion=\(now)&timeoutSeconds=1", count: 100)
            #expect(events.isEmpty)
            #expect(ContinuousClock.now - started >= .milliseconds(900))
        }
    }

    @Test func aClientThatHangsUpFreesItsSlot() async throws {
        try await TestRegistry.with { registry in
            let watch = Task { try await registry.watch("\(Self.services)?watch=true", count: 100) }
            while registry.server.store.hub.count == 0 { try await Task.sleep(for: .milliseconds(10)) }
            watch.cancel()
            let deadline = ContinuousClock.now.advanced(by: .seconds(5))
            while registry.server.store.hub.count > 0 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(registry.server.store.hub.count == 0)
        }
    }

    @Test func watchersAreCapped() async throws {
        try await TestRegistry.with({ $0.maxWatchers = 1 }) { registry in
            let first = Task { try await registry.watch("\(Self.services)?watch=true&timeoutSeconds=2", count: 100) }
            // Wait until the first watch holds the only slot, then ask for a second one.
            while registry.server.store.hub.count == 0 { try await Task.sleep(for: .milliseconds(10)) }
            let refused = try await registry.call(.GET, "\(Self.services)?watch=true&timeoutSeconds=1")
            #expect(refused.code == 429)
            #expect(refused.json["reason"] == "TooManyRequests")
            _ = try await first.value
        }
    }
}
