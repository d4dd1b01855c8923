import ClusterModel
import Foundation
import GRDB

/// Service rules of the API server, and the cluster IPs and node ports a service holds.
struct ServiceAdmission {
    let identity: Admission.Identity
    let cidr: CIDR

    static let types = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]
    static let nodePortRange = 30000...32767

    /// The key under which a service's reservations are kept.
    var owner: String { "\(identity.namespace)/\(identity.name)" }

    /// Validates `body` (a Service) and rewrites its spec with defaults and reserved addresses.
    func admit(_ body: inout JSONValue, old: StoredObject?, db: Database) throws {
        let service = try Admission.decode(Service.self, body, .services)
        let oldService = try old.map { try JSONDecoder().decode(Service.self, from: $0.json) }
        let type = service.spec.type ?? "ClusterIP"
        var errors = identity.errors + ServicePortRules.validate(service.spec.ports ?? [], type: type)
        guard Self.types.contains(type) else {
            errors.append(.unsupported("spec.type", type, supported: Self.types))
            throw RegistryError.invalid(.services, name: identity.name, errors)
        }
        var ips: [String] = []
        if type == "ExternalName" {
            errors += externalNameErrors(service)
        } else {
            ips = try clusterIPs(service, type: type, old: oldService, db: db, errors: &errors)
            if ips != ["None"] && (service.spec.ports ?? []).isEmpty {
                // Only headless and ExternalName services may go without ports, as in Kubernetes.
                errors.append(.required("spec.ports", "a \(type) service needs at least one port"))
            }
        }
        let nodePorts = try nodePorts(service, type: type, old: oldService, db: db, errors: &errors)
        guard errors.isEmpty else { throw RegistryError.invalid(.services, name: identity.name, errors) }

        try Self.release(owner: owner, db: db)
        for ip in ips where ip != "None" {
            try db.execute(sql: "INSERT INTO clusterIPs (ip, owner) VALUES (?, ?)", arguments: [ip, owner])
        }
        for port in nodePorts.compactMap({ $0 }) {
            try db.execute(sql: "INSERT INTO nodePorts (port, owner) VALUES (?, ?)", arguments: [port, owner])
        }
        rewrite(&body, type: type, ips: ips, nodePorts: nodePorts)
    }

    /// Frees every address a service holds (on delete, or before reserving its new set).
    static func release(owner: String, db: Database) throws {
        try db.execute(sql: "DELETE FROM clusterIPs WHERE owner = ?", arguments: [owner])
        try db.execute(sql: "DELETE FROM nodePorts WHERE owner = ?", arguments: [owner])
    }

    private func externalNameErrors(_ service: Service) -> [FieldError] {
        var errors: [FieldError] = []
        let target = service.spec.externalName ?? ""
        if target.isEmpty {
            errors.append(.required("spec.externalName", "an ExternalName service needs a host name or IP to point to"))
        } else if !NameRules.isHostName(target) && IPAddress(target) == nil {
            errors.append(.invalid("spec.externalName", "\"\(target)\"", "must be a valid host name or IP address"))
        }
        if !Self.requestedIPs(service.spec).isEmpty {
            errors.append(.forbidden("spec.clusterIP", "may not be set for ExternalName services"))
        }
        return errors
    }

    private static func requestedIPs(_ spec: ServiceSpec) -> [String] {
        if let list = spec.clusterIPs, !list.isEmpty { return list }
        if let single = spec.clusterIP, !single.isEmpty { return [single] }
        return []
    }

    private func clusterIPs(
        _ service: Service, type: String, old: Service?, db: Database, errors: inout [FieldError]
    ) throws -> [String] {
        let spec = service.spec
        var requested = Self.requestedIPs(spec)
        if let single = spec.clusterIP, !single.isEmpty, let list = spec.clusterIPs, !list.isEmpty, list[0] != single {
            errors.append(.invalid("spec.clusterIPs[0]", "\"\(list[0])\"", "must match spec.clusterIP \"\(single)\""))
            return []
        }
        let oldIPs = old.map { Self.requestedIPs($0.spec) } ?? []
        if let old, old.spec.type != "ExternalName", !oldIPs.isEmpty {
            // A service keeps its cluster IPs for life, as in Kubernetes; omitting them keeps them.
            if requested.isEmpty {
                requested = oldIPs
            } else if requested != oldIPs {
                errors.append(.invalid("spec.clusterIP", "\"\(requested[0])\"", "field is immutable"))
                return []
            }
        }
        if requested == ["None"] {
            if type != "ClusterIP" {
                errors.append(.invalid("spec.clusterIP", "\"None\"", "may only be set to 'None' for ClusterIP services"))
            }
            return requested
        }
        if requested.isEmpty {
            guard let ip = try allocate(db: db) else {
                errors.append(.invalid("spec.clusterIPs", "[]", "failed to allocate a service IP: the range \(cidr) is full"))
                return []
            }
            return [ip]
        }
        if requested.count > 2 {
            errors.append(.invalid("spec.clusterIPs", "\(requested)", "may have at most 2 entries (one per IP family)"))
            return []
        }
        var result: [String] = []
        for (index, text) in requested.enumerated() {
            let field = index == 0 ? "spec.clusterIP" : "spec.clusterIPs[\(index)]"
            guard let address = IPAddress(text) else {
                errors.append(.invalid(field, "\"\(text)\"", "must be a valid IP address or \"None\""))
                continue
            }
            let canonical = address.description
            guard cidr.contains(address) else {
                errors.append(.invalid(field, "\"\(text)\"",
                    "failed to allocate IP \(text): the provided IP is not in the valid range. The range of valid IPs is \(cidr)"))
                continue
            }
            let holder = try String.fetchOne(db, sql: "SELECT owner FROM clusterIPs WHERE ip = ?", arguments: [canonical])
            if let holder, holder != owner {
                errors.append(.invalid(field, "\"\(text)\"",
                    "failed to allocate IP \(text): provided IP is already allocated (to service \(holder))"))
                continue
            }
            result.append(canonical)
        }
        return result
    }

    /// The next free IP after the cursor, so a released IP is handed out again only after the
    /// whole range has been used once.
    private func allocate(db: Database) throws -> String? {
        let count = cidr.usableCount
        let cursor = try RegistryStore.state(db, .clusterIPCursor)
        for step in 0..<min(count, 1 << 20) {
            let index = (cursor + step) % count
            let ip = cidr.address(at: index).description
            if try String.fetchOne(db, sql: "SELECT owner FROM clusterIPs WHERE ip = ?", arguments: [ip]) == nil {
                try RegistryStore.setState(db, .clusterIPCursor, (index + 1) % count)
                return ip
            }
        }
        return nil
    }
}
