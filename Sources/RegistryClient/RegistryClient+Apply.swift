import ClusterModel
import Foundation

/// `apply -f`: create or update every object of a manifest, namespaces first.
extension RegistryClient {
    /// Applies a loaded manifest and returns one line per object, kubectl style
    /// (`service/web created`, `endpointslice.discovery.k8s.io/web configured`), including the
    /// namespaces it had to create and the documents it skipped.
    public func apply(_ manifest: Manifest) async throws(RegistryClientError) -> [String] {
        var lines: [String] = []
        let state = manifest.state
        for namespace in state.namespaces {
            lines.append(try await apply(.namespaces, namespace: nil, name: namespace.name, object: namespace))
        }
        let needed = Set(state.services.map(\.namespace) + state.endpointSlices.map(\.namespace) + state.pods.map(\.namespace))
        for namespace in needed.sorted() where try await ensureNamespace(namespace) {
            lines.append("namespace/\(namespace) created")
        }
        for service in state.services {
            lines.append(try await apply(.services, namespace: service.namespace, name: service.name, object: service))
        }
        for slice in state.endpointSlices {
            lines.append(try await apply(.endpointSlices, namespace: slice.namespace, name: slice.name, object: slice))
        }
        for pod in state.pods {
            lines.append(try await apply(.pods, namespace: pod.namespace, name: pod.name, object: pod))
        }
        return lines + manifest.skipped
    }

    /// Creates the object, or replaces the stored one (at its current version) when it exists.
    private func apply(_ resource: KubeResource, namespace: String?, name: String, object: some Encodable)
        async throws(RegistryClientError) -> String
    {
        var body: JSONValue
        do {
            body = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(object))
        } catch {
            throw .invalidRequest("\(resource.kind) \(name): cannot be encoded: \(error)")
        }
        let label = resource.group.isEmpty ? resource.singular : "\(resource.singular).\(resource.group)"
        for _ in 0..<5 {
            let existing: JSONValue
            do {
                existing = try await get(resource, namespace: namespace, name: name)
            } catch let error where error.code == 404 {
                _ = try await create(resource, namespace: namespace, object: body)
                return "\(label)/\(name) created"
            }
            var metadata = body["metadata"] ?? [:]
            metadata["resourceVersion"] = existing["metadata"]?["resourceVersion"]
            body["metadata"] = metadata
            do {
                _ = try await update(resource, namespace: namespace, name: name, object: body)
                return "\(label)/\(name) configured"
            } catch let error where error.code == 409 {
                continue  // changed between our read and write: read again
            }
        }
        throw .invalidRequest("\(label)/\(name) keeps changing on the server; try again")
    }
}
