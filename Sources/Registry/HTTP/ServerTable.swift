import ClusterModel
import Foundation

/// Server-side printing: when a client asks for `Accept: application/json;as=Table;...` (kubectl
/// does), lists and watch events come back as meta.k8s.io/v1 `Table`s with the columns kubectl
/// shows for a real cluster, instead of bare objects kubectl can only print as NAME and AGE.
enum ServerTable {
    /// Whether the Accept header asks for tables.
    static func isRequested(by accept: String?) -> Bool {
        guard let accept else { return false }
        return accept.contains("as=Table")
    }

    /// A Table of `objects`; `columns` false leaves out the column definitions (watch events
    /// after the first, as the API server does).
    static func table(
        _ resource: KubeResource, _ objects: [StoredObject], resourceVersion: Int64?, continue next: String? = nil,
        columns: Bool = true, now: Date = Date()
    ) throws -> Data {
        var metadata: JSONValue = [:]
        if let resourceVersion { metadata["resourceVersion"] = .string(String(resourceVersion)) }
        if let next { metadata["continue"] = .string(next) }
        let rows = try objects.map { object -> JSONValue in
            let body = try JSONDecoder().decode(JSONValue.self, from: object.json)
            return [
                "cells": .array(try cells(resource, object.json, now: now).map { .string($0) }),
                "object": [
                    "kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                    "metadata": body["metadata"] ?? [:],
                ],
            ]
        }
        let table: JSONValue = [
            "kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": metadata,
            "columnDefinitions": .array(columns ? definitions(resource) : []), "rows": .array(rows),
        ]
        return try RegistryJSON.encode(table)
    }

    private static func definitions(_ resource: KubeResource) -> [JSONValue] {
        let names: [(String, Int)]
        switch resource {
        case .services:
            names = [("Name", 0), ("Type", 0), ("Cluster-IP", 0), ("External-IP", 0), ("Port(s)", 0), ("Age", 0), ("Selector", 1)]
        case .endpointSlices:
            names = [("Name", 0), ("AddressType", 0), ("Ports", 0), ("Endpoints", 0), ("Age", 0)]
        case .namespaces:
            names = [("Name", 0), ("Status", 0), ("Age", 0)]
        case .pods:
            names = [("Name", 0), ("Status", 0), ("IP", 0), ("Age", 0)]
        }
        return names.map { name, priority in
            [
                "name": .string(name), "type": "string", "format": name == "Name" ? "name" : "",
                "description": .string(name), "priority": .int(Int64(priority)),
            ]
        }
    }

    private static func cells(_ resource: KubeResource, _ json: Data, now: Date) throws -> [String] {
        let decoder = JSONDecoder()
        switch resource {
        case .services:
            let service = try decoder.decode(Service.self, from: json)
            return [
                service.name, service.spec.type ?? "ClusterIP", KubectlFormat.clusterIP(service),
                KubectlFormat.externalIP(service), KubectlFormat.ports(service.spec.ports ?? []),
                KubectlFormat.age(service.metadata.creationTimestamp, now: now),
                KubectlFormat.selector(service.spec.selector),
            ]
        case .endpointSlices:
            let slice = try decoder.decode(EndpointSlice.self, from: json)
            let ports = (slice.ports ?? []).compactMap { $0.port.map(String.init) }
            let addresses = (slice.endpoints ?? []).filter(\.isReady).flatMap(\.addresses)
            var shown = addresses.prefix(3).joined(separator: ",")
            if addresses.count > 3 { shown += " + \(addresses.count - 3) more..." }
            return [
                slice.name, slice.addressType ?? "", ports.isEmpty ? "<unset>" : ports.joined(separator: ","),
                addresses.isEmpty ? "<none>" : shown, KubectlFormat.age(slice.metadata.creationTimestamp, now: now),
            ]
        case .namespaces:
            let namespace = try decoder.decode(Namespace.self, from: json)
            return [namespace.name, "Active", KubectlFormat.age(namespace.metadata.creationTimestamp, now: now)]
        case .pods:
            let pod = try decoder.decode(Pod.self, from: json)
            let phase = try decoder.decode(PhaseOnly.self, from: json).status?.phase ?? "Unknown"
            return [
                pod.name, phase, pod.ips.first ?? "<none>", KubectlFormat.age(pod.metadata.creationTimestamp, now: now),
            ]
        }
    }

    private struct PhaseOnly: Decodable {
        struct Status: Decodable { var phase: String? }
        var status: Status?
    }
}
