import ClusterModel
import Foundation
import GRDB

extension RegistryStore {
    /// Validates and stores a new object; returns it as stored (with version, uid, defaults).
    func create(_ resource: KubeResource, namespace: String?, body: JSONValue) async throws -> StoredObject {
        try await pool.write { db in
            let object = try self.insert(db, resource, namespace: namespace, body: body)
            try self.record(db, [WatchEvent(type: .added, object: object)])
            return object
        }
    }

    /// `create` inside a transaction the caller owns, without recording the event (a bulk
    /// import records a whole batch at once): validation, admission, version, identity, row.
    func insert(_ db: Database, _ resource: KubeResource, namespace: String?, body: JSONValue) throws -> StoredObject {
        var body = body
        let identity = try Admission.prepareMetadata(&body, resource, pathNamespace: namespace, pathName: nil)
        try Self.requireNamespace(db, resource, identity.namespace)
        if try Self.fetchObject(db, resource, namespace: identity.namespace, name: identity.name) != nil {
            throw RegistryError.alreadyExists(resource, name: identity.name)
        }
        try Admission.admit(&body, resource, identity: identity, old: nil, db: db, cidr: serviceCIDR)
        let version = try Self.nextVersion(db)
        var metadata = body["metadata"] ?? [:]
        metadata["resourceVersion"] = .string(String(version))
        metadata["uid"] = .string(UUID().uuidString.lowercased())
        metadata["creationTimestamp"] = .string(Date().formatted(.iso8601))
        body["metadata"] = metadata
        return try Self.save(db, resource, identity, version, body)
    }

    /// Replaces or patches an object. A `metadata.resourceVersion` in the new body must match the
    /// stored one (optimistic concurrency: 409 Conflict otherwise); without one the update is
    /// unconditional.
    func update(_ resource: KubeResource, namespace: String?, name: String, change: ObjectChange) async throws
        -> StoredObject
    {
        try await pool.write { db in
            let object = try self.replace(db, resource, namespace: namespace, name: name, change: change)
            try self.record(db, [WatchEvent(type: .modified, object: object)])
            return object
        }
    }

    /// `update` inside a transaction the caller owns, without recording the event.
    func replace(_ db: Database, _ resource: KubeResource, namespace: String?, name: String, change: ObjectChange)
        throws -> StoredObject
    {
        let key = resource.isNamespaced ? (namespace ?? "default") : ""
        guard let old = try Self.fetchObject(db, resource, namespace: key, name: name) else {
            throw RegistryError.notFound(resource, name: name)
        }
        var body: JSONValue
        switch change {
        case .replace(let replacement):
            body = replacement
        case .mergePatch(let patch):
            body = try JSONDecoder().decode(JSONValue.self, from: old.json).merging(patch)
        }
        let identity = try Admission.prepareMetadata(&body, resource, pathNamespace: namespace, pathName: name)
        var metadata = body["metadata"] ?? [:]
        if let given = metadata["resourceVersion"]?.stringValue, !given.isEmpty,
           given != String(old.resourceVersion)
        {
            throw RegistryError.conflict(resource, name: identity.name)
        }
        try Admission.admit(&body, resource, identity: identity, old: old, db: db, cidr: serviceCIDR)
        // The server owns uid and creation time: an update cannot change them.
        let oldMetadata = try JSONDecoder().decode(JSONValue.self, from: old.json)["metadata"]
        metadata = body["metadata"] ?? [:]
        metadata["uid"] = oldMetadata?["uid"]
        metadata["creationTimestamp"] = oldMetadata?["creationTimestamp"]
        let version = try Self.nextVersion(db)
        metadata["resourceVersion"] = .string(String(version))
        body["metadata"] = metadata
        return try Self.save(db, resource, identity, version, body)
    }

    /// Deletes an object (a namespace with everything in it) and returns its last state.
    /// `precondition` is an optional resourceVersion the object must still have.
    func delete(_ resource: KubeResource, namespace: String?, name: String, precondition: String? = nil)
        async throws -> StoredObject
    {
        try await pool.write { db in
            let key = resource.isNamespaced ? (namespace ?? "default") : ""
            guard let old = try Self.fetchObject(db, resource, namespace: key, name: name) else {
                throw RegistryError.notFound(resource, name: name)
            }
            if let precondition, !precondition.isEmpty, precondition != String(old.resourceVersion) {
                throw RegistryError.conflict(resource, name: name)
            }
            var events: [WatchEvent] = []
            if resource == .namespaces {
                let rows = try Row.fetchAll(
                    db, sql: "SELECT * FROM objects WHERE namespace = ? AND resource != ? ORDER BY resource, name",
                    arguments: [name, KubeResource.namespaces.rawValue])
                for contained in rows.compactMap(Self.object(from:)) {
                    events.append(try Self.remove(db, contained))
                }
            }
            let removed = try Self.remove(db, old)
            events.append(removed)
            try self.record(db, events)
            return removed.object
        }
    }

    private static func requireNamespace(_ db: Database, _ resource: KubeResource, _ namespace: String) throws {
        guard resource.isNamespaced else { return }
        if try fetchObject(db, .namespaces, namespace: "", name: namespace) == nil {
            throw RegistryError.notFound(.namespaces, name: namespace)
        }
    }

    /// Deletes one stored object, frees its addresses, and returns its DELETED event.
    private static func remove(_ db: Database, _ object: StoredObject) throws -> WatchEvent {
        try db.execute(
            sql: "DELETE FROM objects WHERE resource = ? AND namespace = ? AND name = ?",
            arguments: [object.resource.rawValue, object.namespace, object.name])
        if object.resource == .services {
            try ServiceAdmission.release(owner: "\(object.namespace)/\(object.name)", db: db)
        }
        // A deleted object is reported with the version of its deletion, as Kubernetes does.
        let version = try nextVersion(db)
        var body = try JSONDecoder().decode(JSONValue.self, from: object.json)
        var metadata = body["metadata"] ?? [:]
        metadata["resourceVersion"] = .string(String(version))
        body["metadata"] = metadata
        var last = object
        last.resourceVersion = version
        last.json = try RegistryJSON.encode(body)
        return WatchEvent(type: .deleted, object: last)
    }

    private static func nextVersion(_ db: Database) throws -> Int64 {
        let version = try state(db, .resourceVersion) + 1
        try setState(db, .resourceVersion, version)
        return version
    }

    private static func save(
        _ db: Database, _ resource: KubeResource, _ identity: Admission.Identity, _ version: Int64, _ body: JSONValue
    ) throws -> StoredObject {
        let object = StoredObject(
            resource: resource, namespace: identity.namespace, name: identity.name, resourceVersion: version,
            json: try RegistryJSON.encode(body))
        try db.execute(
            sql: """
                INSERT INTO objects (resource, namespace, name, resourceVersion, json) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(resource, namespace, name) DO UPDATE
                SET resourceVersion = excluded.resourceVersion, json = excluded.json
                """,
            arguments: [resource.rawValue, identity.namespace, identity.name, version, object.json])
        return object
    }

    /// Appends events to the history, trims it to `historyLimit`, and hands them to the watches
    /// once the transaction has committed (never for a rolled-back write).
    func record(_ db: Database, _ events: [WatchEvent]) throws {
        for event in events {
            try db.execute(
                sql: "INSERT INTO events (resourceVersion, type, resource, namespace, name, json) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [
                    event.resourceVersion, event.type.rawValue, event.object.resource.rawValue,
                    event.object.namespace, event.object.name, event.object.json,
                ])
        }
        guard let newest = events.last?.resourceVersion else { return }
        let cutoff = newest - Int64(historyLimit)
        if cutoff > (try Self.state(db, .compactedThrough)) {
            try db.execute(sql: "DELETE FROM events WHERE resourceVersion <= ?", arguments: [cutoff])
            try Self.setState(db, .compactedThrough, cutoff)
        }
        let hub = self.hub
        db.afterNextTransaction(onCommit: { _ in hub.publish(events) })
    }
}
