import ClusterModel
import Testing

/// One invalid object, the field the registry must blame, and words its message must contain.
struct InvalidCase: Sendable, CustomTestStringConvertible {
    var label: String
    var path: String
    var body: String
    var field: String
    var message: String

    var testDescription: String { label }
}

@Suite("Validation: invalid objects are rejected whole, with the API server's wording")
struct ValidationTests {
    static let services = "/api/v1/namespaces/default/services"
    static let slices = "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices"

    static let cases: [InvalidCase] = [
        .init(label: "service name not DNS-1035", path: services,
              body: #"{"metadata":{"name":"1web"},"spec":{"ports":[{"port":80}]}}"#,
              field: "metadata.name", message: "a DNS-1035 label must consist of lower case alphanumeric characters"),
        .init(label: "upper-case service name", path: services,
              body: #"{"metadata":{"name":"Web"},"spec":{"ports":[{"port":80}]}}"#,
              field: "metadata.name", message: "Invalid value: \"Web\""),
        .init(label: "port 0", path: services,
              body: #"{"metadata":{"name":"web"},"spec":{"ports":[{"port":0}]}}"#,
              field: "spec.ports[0].port", message: "Invalid value: 0: must be between 1 and 65535, inclusive"),
        .init(label: "port 65536", path: services,
              body: #"{"metadata":{"name":"web"},"spec":{"ports":[{"port":65536}]}}"#,
              field: "spec.ports[0].port", message: "must be between 1 and 65535"),
        .init(label: "duplicate port names", path: services,
              body: #"{"metadata":{"name":"web"},"spec":{"ports":[{"name":"http","port":80},{"name":"http","port":81}]}}"#,
              field: "spec.ports[1].name", message: "Duplicate value: \"http\""),
        .init(label: "unnamed ports when several", path: services,
              body: #"{"metadata":{"name":"web"},"spec":{"ports":[{"port":80},{"name":"b","port":81}]}}"#,
              field: "spec.ports[0].name", message: "Required value"),
        .init(label: "protocol ICMP", path: services,
              body: #"{"metadata":{"name":"web"},"spec":{"ports":[{"port":80,"protocol":"ICMP"}]}}"#,
              field: "spec.ports[0].protocol",
              message: "Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", \"UDP\""),
        .init(label: "node port out of range", path: services,
              body: #"{"metadata":{"name":"web"},"spec":{"type":"NodePort","ports":[{"port":80,"nodePort":80}]}}"#,
              field: "spec.ports[0].nodePort", message: "The range of valid ports is 30000-32767"),
        .init(label: "node port on a ClusterIP service", path: services,
              body: #"{"metadata":{"name":"web"},"spec":{"ports":[{"port":80,"nodePort":30080}]}}"#,
              field: "spec.ports[0].nodePort", message: "may not be used when `type` is 'ClusterIP'"),
        .init(label: "cluster IP outside the CIDR", path: services,
              body: #"{"metadata":{"name":"web"},"spec":{"clusterIP":"10.0.0.1","ports":[{"port":80}]}}"#,
              field: "spec.clusterIP", message: "The range of valid IPs is 10.96.0.0/16"),
        .init(label: "cluster IP not an IP", path: services,
              body: #"{"metadata":{"name":"web"},"spec":{"clusterIP":"10.96.0.300","ports":[{"port":80}]}}"#,
              field: "spec.clusterIP", message: "must be a valid IP address"),
        .init(label: "unknown type", path: services,
              body: #"{"metadata":{"name":"web"},"spec":{"type":"Magic","ports":[{"port":80}]}}"#,
              field: "spec.type", message: "Unsupported value: \"Magic\""),
        .init(label: "ExternalName without a name", path: services,
              body: #"{"metadata":{"name":"web"},"spec":{"type":"ExternalName"}}"#,
              field: "spec.externalName", message: "Required value"),
        .init(label: "ExternalName not a host", path: services,
              body: #"{"metadata":{"name":"web"},"spec":{"type":"ExternalName","externalName":"bad host!"}}"#,
              field: "spec.externalName", message: "must be a valid host name or IP address"),
        .init(label: "ClusterIP service without ports", path: services,
              body: #"{"metadata":{"name":"web"},"spec":{}}"#,
              field: "spec.ports", message: "Required value"),
        .init(label: "headless NodePort", path: services,
              body: #"{"metadata":{"name":"web"},"spec":{"type":"NodePort","clusterIP":"None","ports":[{"port":80}]}}"#,
              field: "spec.clusterIP", message: "may only be set to 'None' for ClusterIP services"),
        .init(label: "namespace name not DNS-1123", path: "/api/v1/namespaces",
              body: #"{"metadata":{"name":"Prod_1"}}"#,
              field: "metadata.name", message: "a lowercase RFC 1123 label"),
        .init(label: "slice address type", path: slices,
              body: #"{"metadata":{"name":"s"},"addressType":"IPv5","endpoints":[]}"#,
              field: "addressType", message: "Unsupported value: \"IPv5\""),
        .init(label: "slice address of the wrong family", path: slices,
              body: #"{"metadata":{"name":"s"},"addressType":"IPv4","endpoints":[{"addresses":["fd00::1"]}]}"#,
              field: "endpoints[0].addresses[0]", message: "must be a valid IPv4 address"),
        .init(label: "slice port out of range", path: slices,
              body: #"{"metadata":{"name":"s"},"addressType":"IPv4","endpoints":[],"ports":[{"port":99999}]}"#,
              field: "ports[0].port", message: "must be between 1 and 65535"),
        .init(label: "pod IP not an IP", path: "/api/v1/namespaces/default/pods",
              body: #"{"metadata":{"name":"p"},"status":{"podIP":"nope"}}"#,
              field: "status.podIP", message: "must be a valid IP address"),
    ]

    @Test(arguments: cases)
    func invalidObjectIsRejectedAndNothingWritten(_ invalid: InvalidCase) async throws {
        try await TestRegistry.with { registry in
            let before = try await registry.resourceVersion()
            let answer = try await registry.call(.POST, invalid.path, invalid.body)
            #expect(answer.code == 422)
            #expect(answer.json["kind"] == "Status")
            #expect(answer.json["reason"] == "Invalid")
            let message = answer.json["message"]?.string ?? ""
            #expect(message.contains("is invalid"), "\(message)")
            #expect(message.contains(invalid.message), "\(message)")
            let fields = answer.json.at("details", "causes")?.array.compactMap { $0["field"]?.string } ?? []
            #expect(fields.contains(invalid.field), "\(fields)")
            // Nothing written: no new version, and the collection holds nothing new.
            #expect(try await registry.resourceVersion() == before)
            let name = try #require(answer.json.at("details", "name")?.string)
            #expect(try await registry.call(.GET, "\(invalid.path)/\(name)").code == 404)
        }
    }

    @Test func everyProblemIsReportedAtOnce() async throws {
        try await TestRegistry.with { registry in
            let answer = try await registry.call(
                .POST, Self.services,
                #"{"metadata":{"name":"Bad"},"spec":{"ports":[{"name":"a","port":0},{"name":"a","port":80,"protocol":"X"}]}}"#)
            let fields = answer.json.at("details", "causes")?.array.compactMap { $0["field"]?.string } ?? []
            #expect(Set(fields) == ["metadata.name", "spec.ports[0].port", "spec.ports[1].name", "spec.ports[1].protocol"])
            #expect(answer.json["message"]?.string?.hasPrefix("Service \"Bad\" is invalid: [") == true)
        }
    }

    @Test func takenClusterIPAndNodePortAreRefused() async throws {
        try await TestRegistry.with { registry in
            let first = try await registry.call(
                .POST, Self.services,
                #"{"metadata":{"name":"a"},"spec":{"type":"NodePort","clusterIP":"10.96.5.5","ports":[{"port":80,"nodePort":30080}]}}"#)
            #expect(first.code == 201)
            let before = try await registry.resourceVersion()
            let ipTaken = try await registry.call(
                .POST, Self.services, #"{"metadata":{"name":"b"},"spec":{"clusterIP":"10.96.5.5","ports":[{"port":80}]}}"#)
            #expect(ipTaken.code == 422)
            #expect(ipTaken.json["message"]?.string?.contains("provided IP is already allocated (to service default/a)") == true)
            let portTaken = try await registry.call(
                .POST, Self.services,
                #"{"metadata":{"name":"c"},"spec":{"type":"NodePort","ports":[{"port":80,"nodePort":30080}]}}"#)
            #expect(portTaken.code == 422)
            #expect(portTaken.json["message"]?.string?.contains("provided port is already allocated") == true)
            #expect(try await registry.resourceVersion() == before)
        }
    }

    @Test func malformedBodiesAreBadRequests() async throws {
        try await TestRegistry.with { registry in
            let notJSON = try await registry.call(.POST, Self.services, "{nope")
            #expect(notJSON.code == 400)
            #expect(notJSON.json["reason"] == "BadRequest")
            let wrongType = try await registry.call(
                .POST, Self.services, #"{"metadata":{"name":"web"},"spec":{"ports":[{"port":"eighty"}]}}"#)
            #expect(wrongType.code == 400)
            #expect(wrongType.json["message"]?.string?.contains("spec.ports[0].port") == true)
            let wrongNamespace = try await registry.call(
                .POST, Self.services, #"{"metadata":{"name":"web","namespace":"prod"},"spec":{"ports":[{"port":80}]}}"#)
            #expect(wrongNamespace.code == 400)
            let wrongKind = try await registry.call(.POST, Self.services, #"{"kind":"Pod","metadata":{"name":"web"}}"#)
            #expect(wrongKind.code == 400)
        }
    }
}
