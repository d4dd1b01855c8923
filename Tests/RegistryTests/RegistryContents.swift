import ClusterModel
import Foundation
import Registry
import Testing

/// Every object the registry holds, as clients list them, keyed `resource namespace/name`.
/// Each item must also decode as its ClusterModel type: that is how the DNS feed reads it, and an
/// object it cannot read would stop the feed for everyone.
extension TestRegistry {
    static let collections: [(path: String, resource: String)] = [
        ("/api/v1/namespaces", "namespaces"), ("/api/v1/services", "services"),
        ("/apis/discovery.k8s.io/v1/endpointslices", "endpointslices"), ("/api/v1/pods", "pods"),
    ]

    func contents() async throws -> [String: JSONValue] {
        var objects: [String: JSONValue] = [:]
        for (path, resource) in Self.collections {
            let list = try await call(.GET, path)
            guard list.code == 200 else { throw TestFailure("GET \(path) answered \(list.code): \(list.json)") }
            for item in list.json["items"]?.array ?? [] {
                let namespace = item.at("metadata", "namespace")?.string ?? ""
                let name = item.at("metadata", "name")?.string ?? ""
                objects["\(resource) \(namespace)/\(name)"] = item
                try Self.decodeAsModel(resource, item)
            }
        }
        return objects
    }

    private static func decodeAsModel(_ resource: String, _ item: JSONValue) throws {
        let data = try JSONEncoder().encode(item)
        let decoder = JSONDecoder()
        do {
            switch resource {
            case "namespaces": _ = try decoder.decode(Namespace.self, from: data)
            case "services": _ = try decoder.decode(Service.self, from: data)
            case "endpointslices": _ = try decoder.decode(EndpointSlice.self, from: data)
            default: _ = try decoder.decode(Pod.self, from: data)
            }
        } catch {
            throw TestFailure("stored \(resource) cannot be read as its model type: \(error)\n\(item)")
        }
    }

    /// The key `contents()` files an object under, from a write's answer.
    static func key(_ resource: String, _ object: JSONValue) -> String {
        "\(resource) \(object.at("metadata", "namespace")?.string ?? "")/\(object.at("metadata", "name")?.string ?? "")"
    }

    /// Runs `body` on a registry with a fresh data directory; then checks that the objects it
    /// lists are the ones `body` says its valid writes made, stops it, opens the same directory
    /// again and checks that the reopened store lists exactly the same objects.
    static func withReopenCheck(
        _ configure: (inout RegistryConfiguration) -> Void = { _ in },
        _ body: (TestRegistry) async throws -> [String: JSONValue]
    ) async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("registry-hostile-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let expected = try await TestRegistry.with(directory: directory, configure) { registry in
            let expected = try await body(registry)
            let listed = try await registry.contents()
            #expect(listed == expected, "listed objects differ from what the valid writes made: \(diff(listed, expected))")
            return expected
        }
        // A stopped registry gives up its data directory at once: reopening must not wait.
        let reopened = try await TestRegistry.with(directory: directory, configure) { registry in
            try await registry.contents()
        }
        #expect(reopened == expected, "reopened store differs: \(diff(reopened, expected))")
    }

    private static func diff(_ got: [String: JSONValue], _ expected: [String: JSONValue]) -> String {
        let extra = Set(got.keys).subtracting(expected.keys).sorted()
        let missing = Set(expected.keys).subtracting(got.keys).sorted()
        let changed = Set(got.keys).intersection(expected.keys).filter { got[$0] != expected[$0] }.sorted()
        return "extra \(extra), missing \(missing), changed \(changed)"
    }
}

/// A hostile request and the codes it may get; every answer must be a Kubernetes `Status`.
struct HostileRequest: Sendable, CustomStringConvertible {
    var label: String
    var bytes: [UInt8]
    /// The HTTP codes that are right for this request (all 4xx).
    var codes: Set<Int>
    /// Half-close after sending, as a client whose body ends before its Content-Length. The
    /// server can still answer on the open half, so it must.
    var halfClose = false

    var description: String { label }

    init(_ label: String, _ bytes: [UInt8], codes: Set<Int>, halfClose: Bool = false) {
        self.label = label
        self.bytes = bytes
        self.codes = codes
        self.halfClose = halfClose
    }

    /// A POST of `text` to the default namespace's services.
    static func post(_ label: String, _ text: String, codes: Set<Int>) -> HostileRequest {
        to("POST", "/api/v1/namespaces/default/services", label, bytes: Array(text.utf8), codes: codes)
    }

    static func post(_ label: String, bytes: [UInt8], codes: Set<Int>) -> HostileRequest {
        to("POST", "/api/v1/namespaces/default/services", label, bytes: bytes, codes: codes)
    }

    /// `method` on `path` with `text` as the body.
    static func to(
        _ method: String, _ path: String, _ label: String, _ text: String, codes: Set<Int>,
        contentType: String = "application/json"
    ) -> HostileRequest {
        to(method, path, label, bytes: Array(text.utf8), codes: codes, contentType: contentType)
    }

    static func to(
        _ method: String, _ path: String, _ label: String, bytes: [UInt8], codes: Set<Int>,
        contentType: String = "application/json"
    ) -> HostileRequest {
        HostileRequest(label, RawHTTP.request(method, path, body: bytes, contentType: contentType), codes: codes)
    }

    /// Sends it on its own connection and checks the answer: one of `codes` with a `Status` body
    /// whose `code` matches.
    func send(port: Int) async throws {
        let answer = try await RawHTTP.exchange(port: port, bytes, finish: halfClose)
        guard let answer else {
            Issue.record("\(label): the connection closed without an answer")
            return
        }
        #expect(codes.contains(answer.code), "\(label): expected \(codes.sorted()), got \(answer)")
        #expect(answer.code >= 400 && answer.code < 500, "\(label): \(answer)")
        let status = answer.json
        #expect(status?["kind"] == "Status", "\(label): not a Status body: \(answer)")
        #expect(status?["status"] == "Failure", "\(label): \(answer)")
        #expect(status?["code"] == .int(Int64(answer.code)), "\(label): \(answer)")
        #expect(status?["message"]?.string?.isEmpty == false, "\(label): \(answer)")
        #expect(answer.headers["content-type"]?.hasPrefix("application/json") == true, "\(label): \(answer.headers)")
    }
}
