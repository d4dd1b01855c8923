import ClusterModel
import Foundation
import Testing

@Suite("Manifests")
struct ManifestTests {
    @Test func readsMultiDocumentYAMLAndSkipsOtherKinds() throws {
        let yaml = """
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: shop}
            spec: {clusterIP: 10.96.0.5, ports: [{name: http, port: 80, targetPort: http}]}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            ---
            apiVersion: v1
            kind: Endpoints
            metadata: {name: web, namespace: shop}
            subsets:
              - addresses: [{ip: 10.244.0.1, hostname: web-0}]
                notReadyAddresses: [{ip: 10.244.0.2}]
                ports: [{name: http, port: 8080, protocol: TCP}]
            ---
            """
        var manifest = Manifest()
        try manifest.add(data: Data(yaml.utf8), source: "test.yaml")
        #expect(manifest.state.services.map(\.name) == ["web"])
        #expect(manifest.state.services.first?.spec.ports?.first?.targetPort == .string("http"))
        #expect(manifest.skipped == ["Deployment/web: skipped, not a kind DNS serves"])
        let slice = try #require(manifest.state.endpointSlices.first)
        #expect(slice.serviceName == "web")
        #expect(slice.endpoints?.map(\.isReady) == [true, false])
        #expect(slice.endpoints?.first?.hostname == "web-0")
        #expect(slice.ports?.first?.port == 8080)
    }

    @Test func readsAJSONList() throws {
        let json = """
            {"apiVersion":"v1","kind":"List","items":[
              {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"a"}},
              {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"a"},"status":{"podIP":"10.1.0.1"}}]}
            """
        var manifest = Manifest()
        try manifest.add(data: Data(json.utf8), source: "list.json")
        #expect(manifest.state.namespaces.map(\.name) == ["a"])
        #expect(manifest.state.pods.first?.ips == ["10.1.0.1"])
        #expect(manifest.state.namespaceNames == ["a"])
    }

    @Test func reportsWhereABadDocumentIs() {
        var manifest = Manifest()
        #expect {
            try manifest.add(data: Data("kind: Service\nmetadata: {name: x}\nspec: {ports: [{name: a}]}\n".utf8), source: "bad.yaml")
        } throws: { error in
            let text = "\(error)"
            return text.contains("bad.yaml document 1") && text.contains("port")
        }
        #expect(throws: ManifestError.self) { try manifest.add(data: Data("{not json".utf8), source: "x.json") }
        #expect(throws: ManifestError.self) { try manifest.add(data: Data("a: [".utf8), source: "x.yaml") }
        #expect(throws: ManifestError.self) { try Manifest.load(path: "/nonexistent/manifest.yaml") }
    }

    @Test func theExampleClusterLoads() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let manifest = try Manifest.load(path: root.appendingPathComponent("examples/seed.yaml").path)
        #expect(manifest.state.services.count == 7)
        #expect(manifest.state.namespaceNames == ["ecommerce", "prod-env", "kube-system"])
    }
}

@Suite("Name rules")
struct NameRuleTests {
    @Test(arguments: [("payment-service", true), ("a", true), ("1abc", false), ("-a", false), ("a-", false),
                      ("Abc", false), (String(repeating: "a", count: 64), false), ("a.b", false)])
    func dns1035(name: String, valid: Bool) {
        #expect(NameRules.isDNS1035Label(name) == valid)
    }

    @Test(arguments: [("my.database.example.com", true), ("my.database.example.com.", true), ("EXAMPLE.com", true),
                      ("a..b", false), ("-a.com", false), ("a_b.com", true), ("", false), ("a b.com", false)])
    func hostNames(name: String, valid: Bool) {
        #expect(NameRules.isHostName(name) == valid)
    }

    @Test func dashedAddresses() {
        #expect(IPAddress("10.244.3.13")?.dashed == "10-244-3-13")
        #expect(IPAddress("fd00::1")?.dashed == "fd00--1")
        #expect(IPAddress("::ffff:10.244.1.8")?.dashed == "--ffff-10-244-1-8")
        #expect(IPAddress("10.244.3") == nil)
        #expect(IPAddress("fd00::1")?.bytes.count == 16)
    }
}
