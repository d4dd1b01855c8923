import ClusterModel
import Testing

@Suite("Discovery documents and unknown paths")
struct DiscoveryTests {
    @Test func discoveryDocumentsListWhatIsServed() async throws {
        try await TestRegistry.with { registry in
            let api = try await registry.call(.GET, "/api")
            #expect(api.code == 200)
            #expect(api.json["kind"] == "APIVersions")
            #expect(api.json["versions"]?.array == ["v1"])

            let core = try await registry.call(.GET, "/api/v1")
            #expect(core.json["kind"] == "APIResourceList")
            let coreNames = core.json["resources"]?.array.compactMap { $0["name"]?.string }
            #expect(coreNames == ["namespaces", "services", "pods"])

            let groups = try await registry.call(.GET, "/apis")
            #expect(groups.json["kind"] == "APIGroupList")
            #expect(groups.json["groups"]?.array.first?["name"] == "discovery.k8s.io")

            let discovery = try await registry.call(.GET, "/apis/discovery.k8s.io/v1")
            #expect(discovery.json["groupVersion"] == "discovery.k8s.io/v1")
            #expect(discovery.json["resources"]?.array.first?["kind"] == "EndpointSlice")
            #expect(discovery.json["resources"]?.array.first?["namespaced"] == .bool(true))
        }
    }

    @Test func unknownPathIsANotFoundStatus() async throws {
        try await TestRegistry.with { registry in
            let answer = try await registry.call(.GET, "/api/v1/namespaces/default/configmaps")
            #expect(answer.code == 404)
            #expect(answer.json["kind"] == "Status")
            #expect(answer.json["reason"] == "NotFound")
            let wrongGroup = try await registry.call(.GET, "/api/v1/endpointslices")
            #expect(wrongGroup.code == 404)
        }
    }

    @Test func unsupportedMethodIsMethodNotAllowed() async throws {
        try await TestRegistry.with { registry in
            let answer = try await registry.call(.POST, "/api/v1/namespaces/default/services/web", "{}")
            #expect(answer.code == 405)
            #expect(answer.json["reason"] == "MethodNotAllowed")
        }
    }
}
