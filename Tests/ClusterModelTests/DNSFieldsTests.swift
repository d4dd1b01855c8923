import ClusterModel
import Foundation
import Testing

@Suite("What the DNS side keeps of an object")
struct DNSFieldsTests {
    static let service = #"""
        {"apiVersion": "v1", "kind": "Service",
         "metadata": {"name": "web", "namespace": "shop", "uid": "6fd31b29-f2c7-5972-b535-2b666b1ff58c",
                      "resourceVersion": "41", "creationTimestamp": "2024-01-01T00:00:00Z",
                      "labels": {"app": "web"}, "annotations": {"note": "x"}},
         "spec": {"type": "ClusterIP", "clusterIP": "10.96.0.5", "clusterIPs": ["10.96.0.5"],
                  "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack", "selector": {"app": "web"},
                  "publishNotReadyAddresses": true,
                  "ports": [{"name": "http", "protocol": "TCP", "port": 80, "targetPort": 8080, "nodePort": 30080}]}}
        """#

    static let slice = #"""
        {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
         "metadata": {"name": "db-x1", "namespace": "shop", "resourceVersion": "42",
                      "labels": {"kubernetes.io/service-name": "db", "endpointslice.kubernetes.io/managed-by": "c"}},
         "endpoints": [
            {"addresses": ["10.244.5.1"], "hostname": "db-0", "nodeName": "node-1",
             "conditions": {"ready": false, "serving": true, "terminating": false},
             "targetRef": {"kind": "Pod", "name": "db-0", "namespace": "shop", "uid": "d1480a8f"}},
            {"addresses": ["10.244.5.2"]}],
         "ports": [{"name": "pg", "protocol": "TCP", "port": 5432}]}
        """#

    @Test func aServiceKeepsWhatItsRecordsAreMadeOf() throws {
        let full = try JSONDecoder().decode(Service.self, from: Data(Self.service.utf8))
        let kept = full.dnsFields
        #expect(kept.name == "web" && kept.namespace == "shop")
        #expect(kept.dnsKind == full.dnsKind && kept.dnsKind == .clusterIP(["10.96.0.5"]))
        #expect(kept.spec.type == "ClusterIP" && kept.spec.publishNotReadyAddresses == true)
        #expect(kept.spec.ports == [ServicePort(name: "http", protocol: "TCP", port: 80)])
        #expect(kept.metadata == ObjectMeta(name: "web", namespace: "shop"))
        #expect(kept.spec.selector == nil && kept.spec.ipFamilies == nil)

        var relabelled = full
        relabelled.metadata.labels = ["app": "web", "tier": "front"]
        relabelled.metadata.resourceVersion = "43"
        #expect(relabelled != full)
        #expect(relabelled.dnsFields == kept)
        var moved = full
        moved.spec.ports?[0].port = 81
        #expect(moved.dnsFields != kept)
    }

    @Test func aSliceKeepsItsServiceEndpointsAndPorts() throws {
        let full = try JSONDecoder().decode(EndpointSlice.self, from: Data(Self.slice.utf8))
        let kept = full.dnsFields
        #expect(kept.serviceName == "db" && kept.metadata.labels == ["kubernetes.io/service-name": "db"])
        #expect(kept.addressType == "IPv4" && kept.ports == full.ports)
        let endpoints = try #require(kept.endpoints)
        #expect(endpoints.map(\.addresses) == [["10.244.5.1"], ["10.244.5.2"]])
        #expect(endpoints.map(\.isReady) == [false, true])
        #expect(endpoints[0].hostname == "db-0" && endpoints[0].nodeName == nil)
        #expect(endpoints[0].targetRef == ObjectReference(kind: "Pod", name: "db-0", namespace: "shop"))
    }

    /// Without `--endpoint-pod-names` nothing reads a pod's name: it is not kept, read or
    /// decoded whole, while the target's kind and namespace (autopath's) are.
    @Test func podNamesAreKeptOnlyWhenAsked() throws {
        let whole = try JSONDecoder().decode(EndpointSlice.self, from: Data(Self.slice.utf8))
        let read = try JSONReader.read(Data(Self.slice.utf8)) { try EndpointSlice(dnsFieldsFrom: &$0, podNames: false) }
        #expect(read == whole.dnsFields(podNames: false))
        #expect(read.endpoints?[0].targetRef == ObjectReference(kind: "Pod", name: nil, namespace: "shop"))
        #expect(read.endpoints?[0].hostname == "db-0" && read.endpoints?.map(\.addresses) == [["10.244.5.1"], ["10.244.5.2"]])
        // A kept slice that has them loses them; asked to keep them, nothing is lost.
        #expect(whole.dnsFields.dnsFields(podNames: false) == read)
        #expect(whole.dnsFields(podNames: true) == whole.dnsFields)
        #expect(whole.dnsFields.endpoints?[0].targetRef?.name == "db-0")
        #expect(read != whole.dnsFields)
    }

    @Test func decodingOnlyTheKeptFieldsGivesTheSameObjects() throws {
        let decoder = JSONDecoder()
        let service = try decoder.decode(Service.self, from: Data(Self.service.utf8))
        #expect(try kept(Service.self, Self.service) == service.dnsFields)
        let slice = try decoder.decode(EndpointSlice.self, from: Data(Self.slice.utf8))
        #expect(try kept(EndpointSlice.self, Self.slice) == slice.dnsFields)
        let pod = #"{"metadata": {"name": "p", "namespace": "shop", "uid": "u"}, "status": {"podIP": "10.1.2.3", "podIPs": [{"ip": "10.1.2.3"}], "phase": "Running"}}"#
        #expect(try kept(Pod.self, pod)
            == decoder.decode(Pod.self, from: Data(pod.utf8)).dnsFields)
        let namespace = #"{"metadata": {"name": "shop", "labels": {"a": "b"}}}"#
        #expect(try kept(Namespace.self, namespace)
            == decoder.decode(Namespace.self, from: Data(namespace.utf8)).dnsFields)
        // What the whole decoding requires, this one does too.
        let portless = #"{"metadata": {"name": "x"}, "spec": {"ports": [{"name": "http"}]}}"#
        #expect(throws: JSONReader.Failure.self) { try kept(Service.self, portless) }
        let addressless = #"{"metadata": {"name": "s"}, "endpoints": [{"hostname": "a"}]}"#
        #expect(throws: JSONReader.Failure.self) {
            try kept(EndpointSlice.self, addressless)
        }
    }

    /// The kept decodings read fields one by one: absent, null and partly filled parts must come
    /// out as the whole decoding's `dnsFields` do.
    @Test(arguments: [
        #"{"metadata": {"name": "s", "namespace": "n", "labels": null}, "endpoints": null, "ports": null}"#,
        #"{"metadata": {"name": "s", "labels": {"other": "x"}}, "addressType": "IPv6", "endpoints": []}"#,
        #"{"metadata": {}, "endpoints": [{"addresses": [], "conditions": null, "targetRef": null, "hostname": null}]}"#,
        #"{"metadata": {"name": "s"}, "endpoints": [{"addresses": ["10.1.1.1", "10.1.1.2"], "conditions": {},"#
            + #" "targetRef": {"name": "p"}, "zone": "z", "hints": {"forZones": [{"name": "z"}]}}]}"#,
    ])
    func keptSlicesMatchTheWholeDecoding(_ json: String) throws {
        let decoder = JSONDecoder()
        let whole = try decoder.decode(EndpointSlice.self, from: Data(json.utf8))
        let read = try kept(EndpointSlice.self, json)
        #expect(read == whole.dnsFields)
        // Field by field, as the kept form gives them back (equality above compares kept forms).
        #expect(read.apiVersion == "discovery.k8s.io/v1" && read.kind == "EndpointSlice")
        #expect(read.metadata == ObjectMeta(
            name: whole.metadata.name, namespace: whole.metadata.namespace,
            labels: whole.serviceName.map { [EndpointSlice.serviceNameLabel: $0] }))
        #expect(read.addressType == whole.addressType && read.ports == whole.ports)
        #expect(read.endpoints == whole.endpoints?.map { endpoint in
            Endpoint(
                addresses: endpoint.addresses, ready: endpoint.conditions?.ready, hostname: endpoint.hostname,
                targetRef: endpoint.targetRef.map { ObjectReference(kind: $0.kind, name: $0.name, namespace: $0.namespace) })
        })
    }

    /// A Service as an API server returns it after `kubectl apply`: the last applied
    /// configuration as an escaped JSON string, managed fields, status, non-ASCII text.
    @Test func aServiceAsKubectlLeftItIsKeptAsTheWholeDecodingKeepsIt() throws {
        let json = #"""
            {"kind": "Service", "apiVersion": "v1",
             "metadata": {"name": "caf\u00e9", "namespace": "shop", "uid": "0b1c", "resourceVersion": "901",
              "annotations": {"kubectl.kubernetes.io/last-applied-configuration":
                "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"annotations\":{},\"name\":\"café\"},\"spec\":{\"ports\":[{\"port\":80}]}}\n",
                "note": "tab\there, quote \" and emoji \ud83d\ude00"},
              "managedFields": [{"manager": "kubectl-client-side-apply", "operation": "Update", "apiVersion": "v1",
                "time": "2026-11-23T10:00:00Z", "fieldsType": "FieldsV1",
                "fieldsV1": {"f:spec": {"f:ports": {".": {}, "k:{\"port\":80,\"protocol\":\"TCP\"}": {".": {}}}}}}]},
             "spec": {"clusterIP": "10.96.4.4", "clusterIPs": ["10.96.4.4"], "type": "ClusterIP",
              "ports": [{"name": "http", "protocol": "TCP", "port": 80, "targetPort": 8080}],
              "sessionAffinity": "None", "internalTrafficPolicy": "Cluster"},
             "status": {"loadBalancer": {}}}
            """#
        let whole = try JSONDecoder().decode(Service.self, from: Data(json.utf8))
        let kept = try kept(Service.self, json)
        #expect(kept == whole.dnsFields)
        #expect(kept.name == "café" && kept.spec.clusterIP == "10.96.4.4")
    }

    @Test(arguments: [
        #"{"metadata": {"name": "a"}, "spec": {}}"#,
        #"{"metadata": {"name": "a", "namespace": "b"}, "spec": {"type": "ExternalName", "externalName": "x.example","#
            + #" "clusterIPs": null, "ports": null, "publishNotReadyAddresses": null}}"#,
        #"{"metadata": {"name": "a"}, "spec": {"clusterIP": "None", "clusterIPs": ["None"], "ports": [],"#
            + #" "publishNotReadyAddresses": false}}"#,
        #"{"metadata": {"name": "a"}, "spec": {"ports": [{"port": 53, "targetPort": "dns"}, {"port": 54, "protocol": "UDP"}]}}"#,
        #"{"metadata": {"name": "a"}, "spec": {"clusterIP": "10.96.0.7", "clusterIPs": ["10.96.0.7", "fd00::7"]}}"#,
        #"{"metadata": {"name": "a"}, "spec": {"clusterIP": "10.96.0.7", "clusterIPs": ["10.96.0.8"]}}"#,
        #"{"metadata": {"name": "a"}, "spec": {"clusterIP": "10.96.0.7"}}"#,
        #"{"metadata": {"name": "a"}, "spec": {"clusterIPs": ["10.96.0.7"]}}"#,
        #"{"metadata": {"name": "a"}, "spec": {"clusterIP": "10.96.0.7", "clusterIPs": []}}"#,
    ])
    func keptServicesMatchTheWholeDecoding(_ json: String) throws {
        let decoder = JSONDecoder()
        let whole = try decoder.decode(Service.self, from: Data(json.utf8))
        let read = try kept(Service.self, json)
        #expect(read == whole.dnsFields)
        // Field by field, as the kept form gives them back (equality above compares kept forms).
        #expect(read.apiVersion == "v1" && read.kind == "Service")
        #expect(read.metadata == ObjectMeta(name: whole.metadata.name, namespace: whole.metadata.namespace))
        let spec = whole.spec
        #expect(read.spec == ServiceSpec(
            type: spec.type, clusterIP: spec.clusterIP, clusterIPs: spec.clusterIPs,
            ports: spec.ports?.map { ServicePort(name: $0.name, protocol: $0.protocol, port: $0.port) },
            externalName: spec.externalName, publishNotReadyAddresses: spec.publishNotReadyAddresses))
        #expect(read.dnsKind == whole.dnsKind)
    }

    /// A kept object equals the whole one with the same fields, hashes as it does, and once
    /// changed holds the change while its copies do not.
    @Test func aKeptObjectIsItsWholeFormUntilChanged() throws {
        let full = try JSONDecoder().decode(Service.self, from: Data(Self.service.utf8))
        let kept = full.dnsFields
        let rebuilt = Service(name: "web", namespace: "shop", spec: kept.spec)
        #expect(kept == rebuilt && rebuilt == kept && kept.hashValue == rebuilt.hashValue)
        #expect(Set([kept, rebuilt, full]).count == 2)
        var changed = kept
        changed.spec.clusterIPs = ["10.96.0.5", "fd00::5"]
        changed.metadata.labels = ["app": "web"]
        #expect(changed.spec.clusterIPs == ["10.96.0.5", "fd00::5"] && changed.metadata.labels == ["app": "web"])
        #expect(changed.dnsKind == .clusterIP(["10.96.0.5", "fd00::5"]) && changed != kept)
        #expect(kept.spec.clusterIPs == ["10.96.0.5"] && kept.metadata.labels == nil && kept == rebuilt)
        #expect(changed.dnsFields.spec.clusterIPs == ["10.96.0.5", "fd00::5"] && changed.dnsFields.metadata.labels == nil)

        let slice = try JSONDecoder().decode(EndpointSlice.self, from: Data(Self.slice.utf8)).dnsFields
        var moved = slice
        moved.endpoints?[1].addresses = ["10.244.5.3", "10.244.5.4"]
        #expect(moved.endpoints?[1].addresses == ["10.244.5.3", "10.244.5.4"] && moved.serviceName == "db")
        #expect(slice.endpoints?[1].addresses == ["10.244.5.2"] && moved != slice)
        #expect(moved.dnsFields == moved && moved.dnsFields.endpoints == moved.endpoints)
    }

    /// The kept reading of `json`, as a list's items are read.
    func kept<T: DNSFieldsDecodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONReader.read(Data(json.utf8)) { try T(dnsFieldsFrom: &$0) }
    }

    @Test func copiesShareFieldsUntilOneChanges() throws {
        let original = try JSONDecoder().decode(Service.self, from: Data(Self.service.utf8))
        var copy = original
        copy.spec.clusterIP = "10.96.0.6"
        #expect(original.spec.clusterIP == "10.96.0.5" && copy.spec.clusterIP == "10.96.0.6")
        // Encoding is the plain object, not its storage.
        let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(original)) as? [String: Any]
        #expect(Set(encoded?.keys.map { $0 } ?? []) == ["apiVersion", "kind", "metadata", "spec"])
    }
}
