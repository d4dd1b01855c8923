import ClusterModel
import Foundation
import Testing

@Suite("Lists in pages: limit and continue")
struct ListPagingTests {
    /// Seven services in three namespaces, created out of order.
    static func seed(_ registry: TestRegistry) async throws {
        for namespace in ["b", "a"] {
            _ = try await registry.call(.POST, "/api/v1/namespaces", #"{"metadata":{"name":"\#(namespace)"}}"#)
        }
        for (namespace, name, app) in [
            ("b", "s2", "web"), ("a", "s3", "db"), ("default", "s1", "web"), ("a", "s1", "web"), ("b", "s1", "db"),
            ("default", "s0", "db"), ("a", "s2", "web"),
        ] {
            let created = try await registry.call(
                .POST, "/api/v1/namespaces/\(namespace)/services",
                #"{"metadata":{"name":"\#(name)","labels":{"app":"\#(app)"}},"spec":{"ports":[{"port":80}]}}"#)
            #expect(created.code == 201)
        }
    }

    static func keys(_ list: JSONValue) -> [String] {
        (list["items"]?.array ?? []).compactMap { item in
            guard let namespace = item.at("metadata", "namespace")?.string, let name = item.at("metadata", "name")?.string
            else { return nil }
            return namespace + "/" + name
        }
    }

    /// Follows `continue` from `path` (which carries `limit`); returns each page.
    static func pages(_ registry: TestRegistry, _ path: String) async throws -> [JSONValue] {
        var pages: [JSONValue] = []
        var next: String?
        repeat {
            var url = path
            if let next { url += "&continue=" + next.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }
            let page = try await registry.call(.GET, url)
            #expect(page.code == 200, "\(page.json)")
            pages.append(page.json)
            next = page.json.at("metadata", "continue")?.string
        } while next != nil && pages.count < 20
        return pages
    }

    @Test func pagesTogetherAreTheWholeListAtOneResourceVersion() async throws {
        try await TestRegistry.with { registry in
            try await Self.seed(registry)
            let whole = try await registry.call(.GET, "/api/v1/services")
            #expect(whole.json.at("metadata", "continue") == nil)
            let pages = try await Self.pages(registry, "/api/v1/services?limit=3")
            #expect(pages.map { Self.keys($0).count } == [3, 3, 1])
            #expect(pages.flatMap(Self.keys) == Self.keys(whole.json))
            #expect(Self.keys(whole.json) == ["a/s1", "a/s2", "a/s3", "b/s1", "b/s2", "default/s0", "default/s1"])
            let versions = Set(pages.compactMap { $0.at("metadata", "resourceVersion")?.string })
            #expect(versions == [whole.json.at("metadata", "resourceVersion")?.string ?? "?"])

            // A page that ends the list exactly hands out no token.
            let exact = try await Self.pages(registry, "/api/v1/services?limit=7")
            #expect(exact.count == 1 && Self.keys(exact[0]).count == 7)
            let namespaced = try await Self.pages(registry, "/api/v1/namespaces/a/services?limit=2")
            #expect(namespaced.map(Self.keys) == [["a/s1", "a/s2"], ["a/s3"]])
        }
    }

    /// As Kubernetes: a first page that more follow says how many (`remainingItemCount`), so
    /// that a client sizes for the whole list from it; a filtered list's does not.
    @Test func theFirstPageSaysHowManyObjectsRemain() async throws {
        try await TestRegistry.with { registry in
            try await Self.seed(registry)
            let pages = try await Self.pages(registry, "/api/v1/services?limit=3")
            #expect(pages.map { $0.at("metadata", "remainingItemCount") } == [.int(4), nil, nil])
            let namespaced = try await Self.pages(registry, "/api/v1/namespaces/a/services?limit=2")
            #expect(namespaced.map { $0.at("metadata", "remainingItemCount") } == [.int(1), nil])
            let whole = try await registry.call(.GET, "/api/v1/services")
            #expect(whole.json.at("metadata", "remainingItemCount") == nil)
            let selected = try await Self.pages(registry, "/api/v1/services?labelSelector=app%3Dweb&limit=2")
            #expect(selected.map { $0.at("metadata", "remainingItemCount") } == [nil, nil])
        }
    }

    @Test func aLabelSelectorFillsEachPageWithMatches() async throws {
        try await TestRegistry.with { registry in
            try await Self.seed(registry)
            let pages = try await Self.pages(registry, "/api/v1/services?labelSelector=app%3Dweb&limit=2")
            #expect(pages.map(Self.keys) == [["a/s1", "a/s2"], ["b/s2", "default/s1"]])
        }
    }

    @Test func aNextPageAfterAChangeOfItsKindIsGone() async throws {
        try await TestRegistry.with { registry in
            try await Self.seed(registry)
            let first = try await registry.call(.GET, "/api/v1/services?limit=2")
            let token = try #require(first.json.at("metadata", "continue")?.string)
            let next = "/api/v1/services?limit=2&continue=" + token.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!

            // Another kind changing leaves the services' state as it was: the token still holds.
            _ = try await registry.call(.POST, "/api/v1/namespaces", #"{"metadata":{"name":"c"}}"#)
            let unaffected = try await registry.call(.GET, next)
            #expect(unaffected.code == 200 && Self.keys(unaffected.json) == ["a/s3", "b/s1"])

            _ = try await registry.call(.DELETE, "/api/v1/namespaces/b/services/s2")
            let expired = try await registry.call(.GET, next)
            #expect(expired.code == 410)
            #expect(expired.json["reason"] == "Expired")
        }
    }

    @Test func badPagingParametersAreRefused() async throws {
        try await TestRegistry.with { registry in
            try await Self.seed(registry)
            let words = try await registry.call(.GET, "/api/v1/services?limit=ten")
            #expect(words.code == 400)
            let forged = try await registry.call(.GET, "/api/v1/services?limit=2&continue=bm90LWEtdG9rZW4%3D")
            #expect(forged.code == 400)
            let page = try await registry.call(.GET, "/api/v1/services?limit=2")
            let token = try #require(page.json.at("metadata", "continue")?.string)
            let otherKind = try await registry.call(
                .GET, "/api/v1/namespaces?limit=2&continue=" + token.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
            #expect(otherKind.code == 400)
            // No limit (or none above zero) is the whole list, as in Kubernetes.
            let zero = try await registry.call(.GET, "/api/v1/services?limit=0")
            #expect(Self.keys(zero.json).count == 7 && zero.json.at("metadata", "continue") == nil)
        }
    }
}
