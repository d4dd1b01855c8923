import ClusterModel
import Foundation
@testable import Registry
import Testing

@Suite("Bulk import into a data directory")
struct ImportTests {
    /// A v1 List: a namespace, two good services, three bad ones (name, cluster IP outside the
    /// range, a port that is not a number), a slice, and a kind the registry does not serve.
    static let list = #"""
        {"apiVersion": "v1", "kind": "List", "items": [
          {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}},
          {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "shop", "resourceVersion": "7"},
           "spec": {"clusterIP": "10.96.5.5", "ports": [{"name": "http", "port": 80}]}},
          {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "Bad_Name", "namespace": "shop"},
           "spec": {"ports": [{"port": 80}]}},
          {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "outside", "namespace": "shop"},
           "spec": {"clusterIP": "192.168.1.1", "ports": [{"port": 80}]}},
          {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "typo", "namespace": "shop"},
           "spec": {"ports": [{"port": "eighty"}]}},
          {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "db", "namespace": "shop"},
           "spec": {"clusterIP": "None"}},
          {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
           "metadata": {"name": "db-abcde", "namespace": "shop", "labels": {"kubernetes.io/service-name": "db"}},
           "addressType": "IPv4", "endpoints": [{"addresses": ["10.244.0.9"], "hostname": "db-0"}]},
          {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api", "namespace": "shop"}}
        ]}
        """#

    private static func temporaryDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("registry-import-\(UUID().uuidString)").path
    }

    /// Imports into `directory`, three objects per transaction, so that each transaction of
    /// `list` holds refused and stored objects: [shop, web, Bad_Name], [outside, db, db-abcde].
    private static func runImport(_ directory: String, _ text: String, replace: Bool = false) async throws
        -> (RegistryImport.Summary, [RegistryImport.Report])
    {
        let entries = try Manifest.entries(data: Data(text.utf8), source: "test.json")
        let importer = try await RegistryImport(configuration: RegistryConfiguration(port: 0, dataDirectory: directory))
        var reports: [RegistryImport.Report] = []
        let summary = try await importer.run(entries, batchSize: 3, replaceExisting: replace) { reports.append($0) }
        return (summary, reports)
    }

    @Test func goodObjectsAreStoredBadOnesReportedAndSkipped() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (summary, reports) = try await Self.runImport(directory, Self.list)
        #expect(summary.created == 4)  // shop, web, db, db-abcde
        #expect(summary.failed == 3)
        #expect(summary.skipped == 1)
        #expect(summary.transactions == 2)  // 6 decodable objects (typo is not), 3 per transaction
        let failed = reports.filter { if case .failed = $0.outcome { return true } else { return false } }
        #expect(Set(failed.map(\.name)) == ["Bad_Name", "outside", "shop/typo"], "\(failed.map(\.line))")
        #expect(failed.contains { $0.line.contains("DNS-1035") })
        #expect(failed.contains { $0.line.contains("192.168.1.1") })
        #expect(failed.contains { $0.line.contains("spec.ports[0].port") })
        let versions = Dictionary(
            uniqueKeysWithValues: reports.compactMap { report in report.resourceVersion.map { (report.name, $0) } })

        try await TestRegistry.with(directory: directory) { registry in
            #expect(try await registry.resourceVersion() == summary.resourceVersion)
            let services = try await registry.call(.GET, "/api/v1/namespaces/shop/services")
            #expect(services.code == 200)
            let items = services.json["items"]?.array ?? []
            #expect(items.compactMap { $0.at("metadata", "name")?.string } == ["db", "web"])
            for item in items {
                let name = try #require(item.at("metadata", "name")?.string)
                #expect(item.at("metadata", "resourceVersion")?.string == versions[name].map(String.init))
                #expect(item.at("metadata", "uid")?.string?.isEmpty == false)
            }
            let web = try #require(items.first { $0.at("metadata", "name") == "web" })
            #expect(web.at("spec", "clusterIP") == "10.96.5.5")
            #expect(web.at("spec", "ports")?.array.first?["protocol"] == "TCP")  // admission's default
            #expect(services.json.at("metadata", "resourceVersion") == .string(String(summary.resourceVersion)))
            let slices = try await registry.call(.GET, "/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices")
            #expect(slices.json["items"]?.array.compactMap { $0.at("metadata", "name")?.string } == ["db-abcde"])

            // The imported reservation is real: the API refuses the same cluster IP again.
            let taken = try await registry.call(
                .POST, "/api/v1/namespaces/shop/services",
                #"{"metadata":{"name":"again"},"spec":{"clusterIP":"10.96.5.5","ports":[{"port":80}]}}"#)
            #expect(taken.code == 422)
            // And the API keeps counting from where the import stopped.
            let next = try await registry.call(
                .POST, "/api/v1/namespaces/shop/services", #"{"metadata":{"name":"later"},"spec":{"ports":[{"port":80}]}}"#)
            #expect(next.code == 201)
            #expect(next.json.at("metadata", "resourceVersion") == .string(String(summary.resourceVersion + 1)))
        }
    }

    @Test func aSecondImportLeavesOrReplacesWhatExists() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try await Self.runImport(directory, Self.list)
        let (again, _) = try await Self.runImport(directory, Self.list)
        #expect(again.created == 0 && again.unchanged == 4 && again.failed == 3)
        let changed = Self.list.replacingOccurrences(of: #""name": "http", "port": 80"#, with: #""name": "http", "port": 8080"#)
        let (replaced, reports) = try await Self.runImport(directory, changed, replace: true)
        #expect(replaced.replaced == 4 && replaced.created == 0)
        try await TestRegistry.with(directory: directory) { registry in
            let web = try await registry.call(.GET, "/api/v1/namespaces/shop/services/web")
            #expect(web.json.at("spec", "ports")?.array.first?["port"] == .int(8080))
            let version = reports.first { $0.name == "web" }?.resourceVersion
            #expect(web.json.at("metadata", "resourceVersion")?.string == version.map(String.init))
        }
    }

    @Test func aRunningRegistryKeepsItsDirectory() async throws {
        _ = try await TestRegistry.with { registry in
            await #expect(throws: RegistryConfigurationError.self) {
                _ = try await RegistryImport(configuration: RegistryConfiguration(port: 0, dataDirectory: registry.directory))
            }
        }
    }

    @Test func yamlDocumentsAreImportedOneByOne() async throws {
        let yaml = """
            apiVersion: v1
            kind: Service
            metadata: {name: api, namespace: default}
            spec: {ports: [{port: 443}]}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: broken, namespace: default}
            spec: {ports: [{port: [1]}]}
            ---
            apiVersion: v1
            kind: Endpoints
            metadata: {name: api, namespace: default}
            subsets: [{addresses: [{ip: 10.244.1.1}], ports: [{port: 443}]}]
            """
        let entries = try Manifest.entries(data: Data(yaml.utf8), source: "test.yaml")
        #expect(entries.count == 3)
        guard case .invalid(let source, _, _, _) = entries[1] else {
            Issue.record("the broken service should be invalid: \(entries[1])")
            return
        }
        #expect(source == "test.yaml document 2")
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let importer = try await RegistryImport(configuration: RegistryConfiguration(port: 0, dataDirectory: directory))
        let summary = try await importer.run(entries)
        #expect(summary.created == 2 && summary.failed == 1)
    }
}
