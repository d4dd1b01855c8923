import ClusterModel
import Foundation

/// The edits `dnsctl` makes on a service's EndpointSlice, with optimistic-concurrency retries.
extension RegistryClient {
    /// Creates the namespace unless it exists; true when it was created.
    @discardableResult
    public func ensureNamespace(_ name: String) async throws(RegistryClientError) -> Bool {
        do {
            _ = try await get(.namespaces, namespace: nil, name: name)
            return false
        } catch let error where error.code == 404 {
            do {
                _ = try await create(.namespaces, namespace: nil, object: ["metadata": ["name": .string(name)]])
            } catch let error where error.code == 409 {
                return false  // created meanwhile by someone else: exists, which is what we want
            }
            return true
        }
    }

    /// Adds (or replaces) the endpoint with this IP in the service's slice (`<service>` for IPv4,
    /// `<service>-ipv6` for IPv6), creating the slice with the service's ports when missing.
    /// Returns the slice name.
    @discardableResult
    public func addEndpoint(
        service: String, namespace: String, ip: String, hostname: String? = nil, pod: String? = nil,
        ready: Bool = true
    ) async throws(RegistryClientError) -> String {
        guard let address = IPAddress(ip) else { throw .invalidRequest("--ip \(ip): not an IPv4 or IPv6 address") }
        let owner = try await get(.services, namespace: namespace, name: service)
        let sliceName = address.isIPv4 ? service : "\(service)-ipv6"
        var endpoint: JSONValue = ["addresses": .array([.string(address.description)]), "conditions": ["ready": .bool(ready)]]
        if let hostname { endpoint["hostname"] = .string(hostname) }
        if let pod { endpoint["targetRef"] = ["kind": "Pod", "name": .string(pod), "namespace": .string(namespace)] }
        for _ in 0..<5 {
            var slice: JSONValue
            do {
                slice = try await get(.endpointSlices, namespace: namespace, name: sliceName)
            } catch let error where error.code == 404 {
                slice = Self.newSlice(sliceName, service: service, namespace: namespace, ipv4: address.isIPv4, owner)
                slice["endpoints"] = .array([endpoint])
                do {
                    _ = try await create(.endpointSlices, namespace: namespace, object: slice)
                    return sliceName
                } catch let error where error.code == 409 {
                    continue  // someone created it first: edit theirs
                }
            }
            var endpoints = Self.endpoints(of: slice).filter { !Self.has($0, address.description) }
            endpoints.append(endpoint)
            slice["endpoints"] = .array(endpoints)
            do {
                _ = try await update(.endpointSlices, namespace: namespace, name: sliceName, object: slice)
                return sliceName
            } catch let error where error.code == 409 {
                continue  // changed since we read it: read again and redo the edit
            }
        }
        throw .invalidRequest("endpoint slice \(namespace)/\(sliceName) keeps changing; try again")
    }

    /// Removes the endpoint with this IP from every slice of the service.
    public func removeEndpoint(service: String, namespace: String, ip: String) async throws(RegistryClientError) {
        guard let address = IPAddress(ip)?.description else {
            throw .invalidRequest("--ip \(ip): not an IPv4 or IPv6 address")
        }
        for _ in 0..<5 {
            let slices = try await list(
                .endpointSlices, namespace: namespace, labelSelector: "\(EndpointSlice.serviceNameLabel)=\(service)")
            let holding = slices.items.filter { Self.endpoints(of: $0).contains { Self.has($0, address) } }
            guard !holding.isEmpty else {
                throw .invalidRequest("service \(namespace)/\(service) has no endpoint with IP \(address)")
            }
            do {
                for var slice in holding {
                    let name = slice["metadata"]?["name"]?.stringValue ?? service
                    slice["endpoints"] = .array(Self.endpoints(of: slice).filter { !Self.has($0, address) })
                    _ = try await update(.endpointSlices, namespace: namespace, name: name, object: slice)
                }
                return
            } catch let error where error.code == 409 {
                continue
            }
        }
        throw .invalidRequest("the endpoint slices of \(namespace)/\(service) keep changing; try again")
    }

    /// Deletes a service and the EndpointSlices labelled with its name.
    public func deleteService(_ name: String, namespace: String) async throws(RegistryClientError) {
        try await delete(.services, namespace: namespace, name: name)
        let slices = try await list(
            .endpointSlices, namespace: namespace, labelSelector: "\(EndpointSlice.serviceNameLabel)=\(name)")
        for slice in slices.items {
            guard let sliceName = slice["metadata"]?["name"]?.stringValue else { continue }
            do {
                try await delete(.endpointSlices, namespace: namespace, name: sliceName)
            } catch let error where error.code == 404 {
                continue  // already gone
            }
        }
    }

    private static func endpoints(of slice: JSONValue) -> [JSONValue] {
        if case .array(let list)? = slice["endpoints"] { return list }
        return []
    }

    private static func has(_ endpoint: JSONValue, _ address: String) -> Bool {
        guard case .array(let addresses)? = endpoint["addresses"] else { return false }
        return addresses.contains { $0.stringValue.flatMap { IPAddress($0)?.description } == address }
    }

    /// A slice for a service, with endpoint ports taken from the service's target ports.
    private static func newSlice(_ name: String, service: String, namespace: String, ipv4: Bool, _ owner: JSONValue)
        -> JSONValue
    {
        var ports: [JSONValue] = []
        if case .array(let servicePorts)? = owner["spec"]?["ports"] {
            for port in servicePorts {
                var entry: JSONValue = ["protocol": port["protocol"] ?? "TCP"]
                if let name = port["name"] { entry["name"] = name }
                if case .int? = port["targetPort"] { entry["port"] = port["targetPort"] } else { entry["port"] = port["port"] }
                ports.append(entry)
            }
        }
        return [
            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": [
                "name": .string(name), "namespace": .string(namespace),
                "labels": [EndpointSlice.serviceNameLabel: .string(service)],
            ],
            "addressType": ipv4 ? "IPv4" : "IPv6", "ports": .array(ports),
        ]
    }
}
