import ClusterModel
import Testing

@Suite("Server-side tables for kubectl (Accept: as=Table)")
struct ServerTableTests {
    static let accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"
    static let services = "/api/v1/namespaces/default/services"

    @Test func listsBecomeTablesWithKubectlColumns() async throws {
        try await TestRegistry.with { registry in
            _ = try await registry.call(
                .POST, Self.services,
                #"{"metadata":{"name":"web"},"spec":{"type":"NodePort","clusterIP":"10.96.0.10","selector":{"app":"web"},"ports":[{"port":80,"nodePort":30080}]}}"#)
            let table = try await registry.call(.GET, Self.services, accept: Self.accept)
            #expect(table.json["kind"] == "Table")
            #expect(table.json["apiVersion"] == "meta.k8s.io/v1")
            let columns = table.json["columnDefinitions"]?.array.compactMap { $0["name"]?.string }
            #expect(columns == ["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector"])
            let cells = table.json["rows"]?.array.first?["cells"]?.array.compactMap(\.string) ?? []
            #expect(Array(cells.prefix(5)) == ["web", "NodePort", "10.96.0.10", "<none>", "80:30080/TCP"])
            #expect(cells.last == "app=web")
            #expect(table.json["rows"]?.array.first?.at("object", "metadata", "namespace") == "default")
            // Without the Accept header the same path is a plain list.
            #expect(try await registry.call(.GET, Self.services).json["kind"] == "ServiceList")
        }
    }

    @Test func watchEventsCarryOneRowTables() async throws {
        try await TestRegistry.with { registry in
            let start = try await registry.resourceVersion()
            for name in ["a", "b"] {
                _ = try await registry.call(.POST, Self.services, #"{"metadata":{"name":"\#(name)"},"spec":{"ports":[{"port":80}]}}"#)
            }
            let events = try await registry.watch(
                "\(Self.services)?watch=true&resourceVersion=\(start)", count: 2, accept: Self.accept)
            #expect(events.compactMap { $0.at("object", "kind")?.string } == ["Table", "Table"])
            #expect(events[0].at("object", "columnDefinitions")?.array.count == 7)
            #expect(events[1].at("object", "columnDefinitions")?.array.isEmpty == true)
            #expect(events[1].at("object", "rows")?.array.first?["cells"]?.array.first == "b")
        }
    }
}
