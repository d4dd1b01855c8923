import ClusterModel
import GRDB

extension ServiceAdmission {
    /// The node port of each service port (nil where the type has none): given, kept from the
    /// old object for the same port and protocol, or allocated.
    func nodePorts(
        _ service: Service, type: String, old: Service?, db: Database, errors: inout [FieldError]
    ) throws -> [Int?] {
        let ports = service.spec.ports ?? []
        guard type == "NodePort" || type == "LoadBalancer" else {
            // A node port the service already had is dropped with the type change (as the API
            // server does); one the client asks for anew is an error.
            let previous = Set((old?.spec.ports ?? []).compactMap(\.nodePort))
            for (index, port) in ports.enumerated()
            where port.nodePort != nil && port.nodePort != 0 && !previous.contains(port.nodePort ?? 0) {
                errors.append(.forbidden("spec.ports[\(index)].nodePort", "may not be used when `type` is '\(type)'"))
            }
            return ports.map { _ in nil }
        }
        var result: [Int?] = []
        var seen = Set<Int>()
        for (index, port) in ports.enumerated() {
            let field = "spec.ports[\(index)].nodePort"
            var wanted = port.nodePort ?? 0
            if wanted == 0, let previous = old?.spec.ports?.first(where: {
                $0.port == port.port && ($0.protocol ?? "TCP") == (port.protocol ?? "TCP")
            })?.nodePort {
                wanted = previous
            }
            if wanted == 0 {
                guard let allocated = try allocateNodePort(db: db, avoiding: seen) else {
                    errors.append(.invalid(field, "0", "failed to allocate a node port: the range is full"))
                    result.append(nil)
                    continue
                }
                wanted = allocated
            } else if !Self.nodePortRange.contains(wanted) {
                errors.append(.invalid(field, "\(wanted)",
                    "provided port is not in the valid range. The range of valid ports is 30000-32767"))
            } else if let holder = try String.fetchOne(
                db, sql: "SELECT owner FROM nodePorts WHERE port = ?", arguments: [wanted]), holder != owner
            {
                errors.append(.invalid(field, "\(wanted)", "provided port is already allocated (to service \(holder))"))
            }
            if !seen.insert(wanted).inserted {
                errors.append(.duplicate(field, "\(wanted)"))
            }
            result.append(wanted)
        }
        return result
    }

    private func allocateNodePort(db: Database, avoiding: Set<Int>) throws -> Int? {
        let range = Self.nodePortRange
        let count = Int64(range.count)
        let cursor = try RegistryStore.state(db, .nodePortCursor)
        for step in 0..<count {
            let index = (cursor + step) % count
            let port = range.lowerBound + Int(index)
            if avoiding.contains(port) { continue }
            if try Int.fetchOne(db, sql: "SELECT port FROM nodePorts WHERE port = ?", arguments: [port]) == nil {
                try RegistryStore.setState(db, .nodePortCursor, (index + 1) % count)
                return port
            }
        }
        return nil
    }

    /// Writes the server-owned fields into the stored spec: type, cluster IPs, IP families,
    /// default protocol and target port, node ports.
    func rewrite(_ body: inout JSONValue, type: String, ips: [String], nodePorts: [Int?]) {
        var spec = body["spec"] ?? [:]
        spec["type"] = .string(type)
        if ips.isEmpty {
            spec["clusterIP"] = nil
            spec["clusterIPs"] = nil
        } else {
            spec["clusterIP"] = .string(ips[0])
            spec["clusterIPs"] = .array(ips.map { .string($0) })
            if ips != ["None"] {
                spec["ipFamilies"] = .array(ips.compactMap(IPAddress.init).map { .string($0.isIPv4 ? "IPv4" : "IPv6") })
                spec["ipFamilyPolicy"] = .string(ips.count > 1 ? "RequireDualStack" : "SingleStack")
            }
        }
        if case .array(var ports)? = spec["ports"] {
            for index in ports.indices {
                if ports[index]["protocol"] == nil { ports[index]["protocol"] = "TCP" }
                if ports[index]["targetPort"] == nil, let port = ports[index]["port"] {
                    ports[index]["targetPort"] = port
                }
                if index < nodePorts.count, let nodePort = nodePorts[index] {
                    ports[index]["nodePort"] = .int(Int64(nodePort))
                } else {
                    ports[index]["nodePort"] = nil
                }
            }
            spec["ports"] = .array(ports)
        }
        body["spec"] = spec
    }
}

/// Rules for a service's `spec.ports` that need no storage.
enum ServicePortRules {
    static func validate(_ ports: [ServicePort], type: String) -> [FieldError] {
        var errors: [FieldError] = []
        var names = Set<String>()
        var pairs = Set<String>()
        for (index, port) in ports.enumerated() {
            let path = "spec.ports[\(index)]"
            let name = port.name ?? ""
            if name.isEmpty && ports.count > 1 {
                errors.append(.required("\(path).name", "a service with more than one port must name each port"))
            } else if !name.isEmpty && !NameRules.isDNS1123Label(name) {
                errors.append(.invalid("\(path).name", "\"\(name)\"", Messages.dns1123Label))
            }
            if !name.isEmpty && !names.insert(name).inserted {
                errors.append(.duplicate("\(path).name", "\"\(name)\""))
            }
            if !(1...65535).contains(port.port) {
                errors.append(.invalid("\(path).port", "\(port.port)", Messages.portRange))
            }
            let proto = port.protocol ?? "TCP"
            if !Messages.protocols.contains(proto) {
                errors.append(.unsupported("\(path).protocol", proto, supported: Messages.protocols))
            } else if !pairs.insert("\(port.port)/\(proto)").inserted {
                errors.append(.duplicate(path, "port \(port.port)/\(proto)"))
            }
            if case .int(let target)? = port.targetPort, !(1...65535).contains(target) {
                errors.append(.invalid("\(path).targetPort", "\(target)", Messages.portRange))
            }
            if case .string(let target)? = port.targetPort, target.isEmpty || target.count > 15 {
                errors.append(.invalid("\(path).targetPort", "\"\(target)\"", "a port name must be 1 to 15 characters"))
            }
        }
        return errors
    }
}
