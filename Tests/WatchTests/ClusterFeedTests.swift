import ClusterModel
import Foundation
import Logging
import Synchronization
import Testing
import Watch

/// The feed against a fake API server that serves recorded Kubernetes objects.
@Suite("Watch feed", .serialized)
struct ClusterFeedTests {
    static let options = FeedOptions(
        relistInterval: .seconds(600), watchTimeout: .seconds(30), coalesce: .milliseconds(2),
        minBackoff: .milliseconds(50), maxBackoff: .milliseconds(400))

    /// Runs a feed, keeps the states it publishes, and stops it at the end of `body`.
    func withFeed(
        _ url: String, options: FeedOptions = Self.options, _ body: (Published, ClusterFeed) async throws -> Void
    ) async throws {
        let feed = ClusterFeed(source: WatchSource(server: url), options: options, logger: Logger(label: "test"))
        let published = Published()
        let task = Task { await feed.run { published.append($0, positions: $1, complete: $2) } }
        defer { task.cancel() }
        try await body(published, feed)
        task.cancel()
        await task.value
    }

    @Test func listsThenAppliesEveryKindOfEvent() async throws {
        let server = try FakeAPIServer(scenario: "events")
        defer { server.stop() }
        try await withFeed(server.url) { published, feed in
            // The list and the events may reach one snapshot together (bursts coalesce): only
            // the end result is certain.
            let (last, positions) = try await published.firstWithPositions { state in
                state.services.contains { $0.name == "new-service" && $0.spec.clusterIP == "10.96.7.8" }
                    && !state.services.contains { $0.name == "payment-service" }
            }
            // Services are current to the delete's version (or the bookmark's right after it,
            // when it came before the hand-out); the other kinds to their lists'.
            #expect(["203", "204"].contains(positions["services"]))
            #expect(positions["namespaces"] == "100" && positions["endpointslices"] == "100")
            #expect(Set(last.services.map(\.name)) == ["product-service", "kube-dns", "new-service"])
            #expect(last.endpointSlices.first?.endpoints?.count == 2)
            #expect(Set(last.namespaces.map(\.name)) == ["default", "kube-system", "ecommerce"])
            #expect(feed.status.synced)
            #expect(feed.status.events >= 3)
        }
        let watches = try await server.requests().filter { $0.path == "/api/v1/services" && $0.query["watch"] == "true" }
        #expect(watches.first?.query["resourceVersion"] == "100")
        #expect(watches.first?.query["allowWatchBookmarks"] == "true")
    }

    @Test func goneMidStreamListsAgainAndForgetsWhatWasDeletedMeanwhile() async throws {
        let server = try FakeAPIServer(scenario: "gone")
        defer { server.stop() }
        try await withFeed(server.url) { published, feed in
            // The first list holds payment-service; a state without it can only come from the relist.
            let (after, positions) = try await published.firstWithPositions { state in
                !state.services.contains { $0.name == "payment-service" } && !state.services.isEmpty
            }
            #expect(positions["services"] == "300")
            #expect(Set(after.services.map(\.name)) == ["product-service", "kube-dns"])
            try await eventually { feed.status.relists == 1 }
        }
        let lists = try await server.requests().filter { $0.path == "/api/v1/services" && $0.query["watch"] == nil }
        #expect(lists.count == 2)
        let watches = try await server.requests().filter { $0.path == "/api/v1/services" && $0.query["watch"] == "true" }
        #expect(watches.last?.query["resourceVersion"] == "300")
    }

    @Test func aDroppedStreamResumesFromTheLastVersionSeen() async throws {
        let server = try FakeAPIServer(scenario: "drop")
        defer { server.stop() }
        try await withFeed(server.url) { published, _ in
            let state = try await published.first { $0.services.contains { $0.name == "after-drop" } }
            #expect(state.services.contains { $0.name == "before-drop" })
        }
        let watches = try await server.requests().filter { $0.path == "/api/v1/services" && $0.query["watch"] == "true" }
        #expect(watches.count >= 2)
        #expect(watches[1].query["resourceVersion"] == "211")
        let lists = try await server.requests().filter { $0.path == "/api/v1/services" && $0.query["watch"] == nil }
        #expect(lists.count == 1)
    }

    @Test func changesToFieldsDNSDoesNotReadOnlyMoveThePosition() async throws {
        let server = try FakeAPIServer(scenario: "unread")
        defer { server.stop() }
        try await withFeed(server.url) { published, _ in
            let (state, positions) = try await published.firstWithPositions { state in
                state.services.contains { $0.name == "after-unread" }
            }
            #expect(positions["services"] == "203")
            // Handed out once, with the list; the label, annotation, selector and version
            // changes made no delta of their own.
            #expect(published.deltasNaming(service: "ecommerce/product-service") == 1)
            let product = try #require(state.services.first { $0.name == "product-service" })
            #expect(product.metadata.labels == nil && product.spec.selector == nil)
            #expect(product.spec.ports?.first?.port == 80)
        }
    }

    /// A feed listing `pageSize` objects a page from a fake server playing `scenario`; returns
    /// the list requests (not watches) the server saw for `path`.
    func listRequests(
        scenario: String, pageSize: Int, path: String, _ body: (Published, ClusterFeed) async throws -> Void
    ) async throws -> [[String: String]] {
        let server = try FakeAPIServer(scenario: scenario)
        defer { server.stop() }
        var options = Self.options
        options.listPageSize = pageSize
        try await withFeed(server.url, options: options, body)
        return try await server.requests().filter { $0.path == path && $0.query["watch"] == nil }.map(\.query)
    }

    @Test func listsArePagedAndEveryPageIsKept() async throws {
        let lists = try await listRequests(scenario: "events", pageSize: 1, path: "/api/v1/namespaces") { published, _ in
            let state = try await published.first { $0.services.contains { $0.name == "new-service" } }
            #expect(Set(state.namespaces.map(\.name)) == ["default", "kube-system", "ecommerce"])
            #expect(state.services.contains { $0.name == "product-service" })
        }
        #expect(lists.map { $0["continue"] ?? "-" } == ["-", "1", "2"])
        #expect(lists.allSatisfy { $0["limit"] == "1" })
    }

    /// The store hands out each page (ObjectStoreTests); here, the feed passes them on. The
    /// later pages come late: on time, a busy machine could take them all together, and the
    /// test failed once in a full run.
    @Test func theFirstListIsHandedOutInPartsBeforeTheCompleteState() async throws {
        _ = try await listRequests(scenario: "slow", pageSize: 1, path: "/api/v1/services") { published, feed in
            let state = try await published.first { $0.services.contains { $0.name == "product-service" } }
            #expect(feed.status.synced)
            let parts = published.parts
            #expect(!parts.isEmpty)
            #expect(parts.allSatisfy { $0.positions.isEmpty })
            #expect(published.firstComplete > 0)
            #expect(Set(state.namespaces.map(\.name)) == ["default", "kube-system", "ecommerce"])
            #expect(!state.endpointSlices.isEmpty)
        }
    }

    @Test func anExpiredPageIsFollowedByOneWholeList() async throws {
        let lists = try await listRequests(scenario: "expire", pageSize: 2, path: "/api/v1/services") { published, feed in
            let state = try await published.first { !$0.services.isEmpty }
            // What the whole list holds: payment-service, on the first page and deleted before
            // the whole list, is gone; the first page alone would be a list cut short.
            #expect(Set(state.services.map(\.name)) == ["product-service", "kube-dns"])
            #expect(feed.status.synced)
        }
        #expect(lists.map { [$0["limit"] ?? "-", $0["continue"] ?? "-"] } == [["2", "-"], ["2", "2"], ["-", "-"]])
    }

    @Test func anUnreachableSourceIsRetriedUntilItAnswers() async throws {
        // Learn a free port from a first server, then leave it closed while the feed starts.
        let probe = try FakeAPIServer(scenario: "events")
        let port = probe.port
        probe.stop()
        try await withFeed("http://127.0.0.1:\(port)") { published, feed in
            try await eventually { feed.status.lastError != nil }
            #expect(published.count == 0)
            #expect(!feed.status.synced)
            let server = try FakeAPIServer(scenario: "events", port: port)
            defer { server.stop() }
            let state = try await published.first { !$0.services.isEmpty }
            #expect(state.services.contains { $0.name == "product-service" })
            #expect(feed.status.synced)
        }
    }
}

/// The states a feed published, for polling in tests.
final class Published: Sendable {
    private typealias Entry = (state: ClusterState, positions: FeedPositions, services: Set<String>, complete: Bool)
    private let states = Mutex<[Entry]>([])

    /// Keeps the state after each delta (the deltas applied in order), its positions, the
    /// services the delta named, and whether it was complete (the first list's parts are not).
    func append(_ delta: ClusterDelta, positions: FeedPositions, complete: Bool) {
        states.withLock {
            $0.append((delta.applied(to: $0.last?.state ?? ClusterState()), positions, Set(delta.services.keys), complete))
        }
    }
    /// Complete states published.
    var count: Int { states.withLock { $0.filter(\.complete).count } }

    /// The parts of the first list handed out before it was complete: the states and positions.
    var parts: [(state: ClusterState, positions: FeedPositions)] {
        states.withLock { $0.prefix { !$0.complete }.map { ($0.state, $0.positions) } }
    }

    /// Where the first complete state is among everything handed out; -1 while there is none.
    var firstComplete: Int { states.withLock { $0.firstIndex(where: \.complete) ?? -1 } }

    /// How many deltas named the service `namespace/name`.
    func deltasNaming(service key: String) -> Int {
        states.withLock { $0.filter { $0.services.contains(key) }.count }
    }

    /// The first complete state that satisfies `condition`, waiting up to 10 s for it.
    func first(where condition: @Sendable (ClusterState) -> Bool) async throws -> ClusterState {
        try await firstWithPositions(where: condition).state
    }

    func firstWithPositions(
        where condition: @Sendable (ClusterState) -> Bool
    ) async throws -> (state: ClusterState, positions: FeedPositions) {
        for _ in 0..<1000 {
            if let match = states.withLock({ $0.first { $0.complete && condition($0.state) } }) {
                return (match.state, match.positions)
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw FakeServerError("no published state matched within 10 s; last: \(states.withLock { $0.last.map { $0.state.services.map(\.name) } ?? [] })")
    }
}

func eventually(_ condition: @Sendable () -> Bool) async throws {
    for _ in 0..<500 {
        if condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    throw FakeServerError("condition not met within 5 s")
}
