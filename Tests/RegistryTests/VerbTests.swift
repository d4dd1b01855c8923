import ClusterModel
import Testing

@Suite("Create, get, list, update and delete")
struct VerbTests {
    static let web = #"{"apiVersion":"v1","kind":"Service","metadata":{"name":"web","labels":{"app":"web"}},"spec":{"ports":[{"name":"http","port":80}],"sessionAffinity":"None"},"status":{"loadBalancer":{}},"x-extra":{"kept":true}}"#

    @Test func createAllocatesAClusterIPAndKeepsUnknownFields() async throws {
        try await TestRegistry.with { registry in
            let created = try await registry.call(.POST, "/api/v1/namespaces/default/services", Self.web)
            #expect(created.code == 201)
            let ip = try #require(created.json.at("spec", "clusterIP")?.string)
            #expect(ip.hasPrefix("10.96."))
            #expect(created.json.at("spec", "clusterIPs")?.array == [.string(ip)])
            #expect(created.json.at("spec", "type") == "ClusterIP")
            #expect(created.json.at("spec", "ports")?.array.first?["protocol"] == "TCP")
            #expect(created.json.at("spec", "sessionAffinity") == "None")
            #expect(created.json.at("x-extra", "kept") == .bool(true))
            #expect(created.json.at("metadata", "namespace") == "default")
            #expect(created.json.at("metadata", "uid")?.string?.isEmpty == false)
            #expect(created.json.at("metadata", "creationTimestamp") != nil)

            let fetched = try await registry.call(.GET, "/api/v1/namespaces/default/services/web")
            #expect(fetched.code == 200)
            #expect(fetched.json == created.json)
        }
    }

    @Test func listsCarryTheirResourceVersion() async throws {
        try await TestRegistry.with { registry in
            _ = try await registry.call(.POST, "/api/v1/namespaces", #"{"metadata":{"name":"prod"}}"#)
            _ = try await registry.call(.POST, "/api/v1/namespaces/default/services", Self.web)
            _ = try await registry.call(
                .POST, "/api/v1/namespaces/prod/services", #"{"metadata":{"name":"db"},"spec":{"clusterIP":"None"}}"#)
            let all = try await registry.call(.GET, "/api/v1/services")
            #expect(all.json["kind"] == "ServiceList")
            #expect(all.json.at("metadata", "resourceVersion") == .string(String(try await registry.resourceVersion())))
            #expect(all.json["items"]?.array.compactMap { $0.at("metadata", "name")?.string } == ["web", "db"])
            let prod = try await registry.call(.GET, "/api/v1/namespaces/prod/services")
            #expect(prod.json["items"]?.array.count == 1)
            let selected = try await registry.call(.GET, "/api/v1/services?labelSelector=app%3Dweb")
            #expect(selected.json["items"]?.array.compactMap { $0.at("metadata", "name")?.string } == ["web"])
        }
    }

    @Test func updateChecksTheResourceVersion() async throws {
        try await TestRegistry.with { registry in
            let created = try await registry.call(.POST, "/api/v1/namespaces/default/services", Self.web)
            let version = try #require(created.json.at("metadata", "resourceVersion")?.string)
            var changed = created.json
            changed["metadata"]?["labels"] = ["app": "web", "tier": "front"]
            let body = String(decoding: try RegistryJSONForTests.encode(changed), as: UTF8.self)
            let updated = try await registry.call(.PUT, "/api/v1/namespaces/default/services/web", body)
            #expect(updated.code == 200)
            #expect(updated.json.at("metadata", "labels", "tier") == "front")
            #expect(updated.json.at("metadata", "resourceVersion")?.string != version)
            #expect(updated.json.at("metadata", "uid") == created.json.at("metadata", "uid"))
            #expect(updated.json.at("spec", "clusterIP") == created.json.at("spec", "clusterIP"))

            // The same body again carries the old version: someone else's write won.
            let stale = try await registry.call(.PUT, "/api/v1/namespaces/default/services/web", body)
            #expect(stale.code == 409)
            #expect(stale.json["reason"] == "Conflict")
            #expect(stale.json["message"]?.string?.contains("the object has been modified") == true)
            let now = try await registry.call(.GET, "/api/v1/namespaces/default/services/web")
            #expect(now.json == updated.json)
        }
    }

    @Test func updateCannotChangeTheClusterIP() async throws {
        try await TestRegistry.with { registry in
            _ = try await registry.call(.POST, "/api/v1/namespaces/default/services", Self.web)
            let answer = try await registry.call(
                .PUT, "/api/v1/namespaces/default/services/web",
                #"{"metadata":{"name":"web"},"spec":{"clusterIP":"10.96.9.9","ports":[{"port":80}]}}"#)
            #expect(answer.code == 422)
            #expect(answer.json["message"]?.string?.contains("spec.clusterIP: Invalid value: \"10.96.9.9\": field is immutable") == true)
        }
    }

    @Test func mergePatchChangesOnlyWhatItNames() async throws {
        try await TestRegistry.with { registry in
            let created = try await registry.call(.POST, "/api/v1/namespaces/default/services", Self.web)
            let path = "/api/v1/namespaces/default/services/web"
            let patched = try await registry.call(
                .PATCH, path, #"{"metadata":{"labels":{"tier":"front","app":null}}}"#,
                contentType: "application/merge-patch+json")
            #expect(patched.code == 200)
            #expect(patched.json.at("metadata", "labels") == ["tier": "front"])
            #expect(patched.json.at("spec", "clusterIP") == created.json.at("spec", "clusterIP"))
            #expect(patched.json.at("x-extra", "kept") == .bool(true))
            let stale = try await registry.call(
                .PATCH, path, #"{"metadata":{"resourceVersion":"1","labels":{"a":"b"}}}"#,
                contentType: "application/strategic-merge-patch+json")
            #expect(stale.code == 409)
            let invalid = try await registry.call(
                .PATCH, path, #"{"spec":{"ports":[{"port":0}]}}"#, contentType: "application/merge-patch+json")
            #expect(invalid.code == 422)
            let jsonPatch = try await registry.call(
                .PATCH, path, #"[{"op":"remove","path":"/metadata/labels"}]"#, contentType: "application/json-patch+json")
            #expect(jsonPatch.code == 415)
            #expect(try await registry.call(.GET, path).json == patched.json)
        }
    }

    @Test func changingTheTypeDropsNodePortsAndRefusesDryRun() async throws {
        try await TestRegistry.with { registry in
            let path = "/api/v1/namespaces/default/services"
            let created = try await registry.call(
                .POST, path, #"{"metadata":{"name":"np"},"spec":{"type":"NodePort","ports":[{"port":80}]}}"#)
            guard case .int(let nodePort)? = created.json.at("spec", "ports")?.array.first?["nodePort"] else {
                Issue.record("a NodePort service got no node port: \(created.json)")
                return
            }
            var body = created.json
            body["spec"]?["type"] = "ClusterIP"
            let changed = try await registry.call(
                .PUT, "\(path)/np", String(decoding: try RegistryJSONForTests.encode(body), as: UTF8.self))
            #expect(changed.code == 200, "\(changed.json)")
            #expect(changed.json.at("spec", "ports")?.array.first?["nodePort"] == nil)
            // The freed node port can be asked for by another service.
            let other = try await registry.call(
                .POST, path,
                #"{"metadata":{"name":"other"},"spec":{"type":"NodePort","ports":[{"port":80,"nodePort":\#(nodePort)}]}}"#)
            #expect(other.code == 201, "\(other.json)")

            let before = try await registry.resourceVersion()
            let dryRun = try await registry.call(.POST, "\(path)?dryRun=All", Self.web)
            #expect(dryRun.code == 400)
            #expect(try await registry.resourceVersion() == before)
        }
    }

    @Test func createTwiceIsAlreadyExists() async throws {
        try await TestRegistry.with { registry in
            _ = try await registry.call(.POST, "/api/v1/namespaces/default/services", Self.web)
            let again = try await registry.call(.POST, "/api/v1/namespaces/default/services", Self.web)
            #expect(again.code == 409)
            #expect(again.json["reason"] == "AlreadyExists")
            #expect(again.json["message"] == "services \"web\" already exists")
        }
    }

    @Test func deleteReturnsTheObjectThenNotFound() async throws {
        try await TestRegistry.with { registry in
            _ = try await registry.call(.POST, "/api/v1/namespaces/default/services", Self.web)
            let deleted = try await registry.call(.DELETE, "/api/v1/namespaces/default/services/web")
            #expect(deleted.code == 200)
            #expect(deleted.json.at("metadata", "name") == "web")
            let gone = try await registry.call(.GET, "/api/v1/namespaces/default/services/web")
            #expect(gone.code == 404)
            #expect(gone.json["message"] == "services \"web\" not found")
            let again = try await registry.call(.DELETE, "/api/v1/namespaces/default/services/web")
            #expect(again.code == 404)
        }
    }

    @Test func objectsNeedAnExistingNamespace() async throws {
        try await TestRegistry.with { registry in
            let answer = try await registry.call(.POST, "/api/v1/namespaces/nowhere/services", Self.web)
            #expect(answer.code == 404)
            #expect(answer.json["message"] == "namespaces \"nowhere\" not found")
        }
    }

    @Test func deletingANamespaceDeletesWhatIsInIt() async throws {
        try await TestRegistry.with { registry in
            _ = try await registry.call(.POST, "/api/v1/namespaces", #"{"metadata":{"name":"shop"}}"#)
            _ = try await registry.call(.POST, "/api/v1/namespaces/shop/services", Self.web)
            _ = try await registry.call(.POST, "/api/v1/namespaces/shop/pods", #"{"metadata":{"name":"p"},"status":{"podIP":"10.1.1.1"}}"#)
            let deleted = try await registry.call(.DELETE, "/api/v1/namespaces/shop")
            #expect(deleted.code == 200)
            #expect(try await registry.call(.GET, "/api/v1/namespaces/shop/services/web").code == 404)
            #expect(try await registry.call(.GET, "/api/v1/namespaces/shop/pods/p").code == 404)
        }
    }

    @Test func endpointSlicesAndPodsHaveEveryVerb() async throws {
        try await TestRegistry.with { registry in
            let path = "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices"
            let slice = #"{"metadata":{"name":"web-abc","labels":{"kubernetes.io/service-name":"web"}},"addressType":"IPv4","endpoints":[{"addresses":["10.1.0.1"],"conditions":{"ready":true},"zone":"a"}],"ports":[{"name":"http","port":8080,"protocol":"TCP"}]}"#
            let created = try await registry.call(.POST, path, slice)
            #expect(created.code == 201)
            #expect(created.json["kind"] == "EndpointSlice")
            #expect(created.json["apiVersion"] == "discovery.k8s.io/v1")
            #expect(created.json["endpoints"]?.array.first?["zone"] == "a")
            #expect(try await registry.call(.GET, "\(path)/web-abc").code == 200)
            let all = try await registry.call(.GET, "/apis/discovery.k8s.io/v1/endpointslices")
            #expect(all.json["kind"] == "EndpointSliceList")
            #expect(all.json["items"]?.array.count == 1)
            let updated = try await registry.call(.PUT, "\(path)/web-abc", slice.replacingOccurrences(of: "10.1.0.1", with: "10.1.0.2"))
            #expect(updated.json["endpoints"]?.array.first?["addresses"]?.array == ["10.1.0.2"])
            #expect(try await registry.call(.DELETE, "\(path)/web-abc").code == 200)
            #expect(try await registry.call(.GET, "\(path)/web-abc").code == 404)

            let pods = "/api/v1/namespaces/default/pods"
            let pod = try await registry.call(.POST, pods, #"{"metadata":{"name":"web-0"},"spec":{"containers":[{"name":"c","image":"nginx"}]},"status":{"podIP":"10.244.0.5","podIPs":[{"ip":"10.244.0.5"}]}}"#)
            #expect(pod.code == 201)
            #expect(pod.json.at("spec", "containers")?.array.first?["image"] == "nginx")
            #expect(try await registry.call(.GET, "/api/v1/pods").json["items"]?.array.count == 1)
            #expect(try await registry.call(.DELETE, "\(pods)/web-0").code == 200)
        }
    }
}

import Foundation

enum RegistryJSONForTests {
    static func encode(_ value: JSONValue) throws -> Data {
        try JSONEncoder().encode(value)
    }
}
