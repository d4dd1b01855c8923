import ClusterModel
import Foundation
import GRDB
import Logging

/// Bulk import into a registry's data directory while no registry runs on it (the directory
/// lock makes sure): every object goes through the same validation and admission as a `POST`
/// (or, with `replaceExisting`, a `PUT`) of the HTTP API, but many objects share one
/// transaction, so 100,000 objects cost tens of syncs instead of 100,000.
///
/// An object the API would refuse is reported and skipped (its savepoint is rolled back); the
/// others of its batch are stored. Each stored object gets its own resourceVersion and its
/// event in the history, exactly as if it had been written through the API.
public struct RegistryImport: Sendable {
    /// What happened to one object.
    public enum Outcome: Sendable, Equatable {
        case created
        /// It existed and was replaced (`replaceExisting`).
        case replaced
        /// It existed and was left alone (without `replaceExisting`).
        case unchanged
        /// Refused, with the API's message (`Service "x" is invalid: ...`).
        case failed(String)
        /// Not a kind the registry serves, or not decodable at all.
        case skipped(String)
    }

    /// One line of the report: `service/web in shop: created`.
    public struct Report: Sendable {
        /// `service`, `endpointslice.discovery.k8s.io`, or the document's kind.
        public var kind: String
        public var namespace: String
        public var name: String
        public var outcome: Outcome
        /// The object's resourceVersion once stored.
        public var resourceVersion: Int64?

        public var line: String {
            let object = namespace.isEmpty ? "\(kind)/\(name)" : "\(kind)/\(name) -n \(namespace)"
            switch outcome {
            case .created: return "\(object) created"
            case .replaced: return "\(object) configured"
            case .unchanged: return "\(object) unchanged (exists)"
            case .failed(let message): return "error: \(object): \(message)"
            case .skipped(let message): return "skipped: \(message)"
            }
        }
    }

    public struct Summary: Sendable {
        public var created = 0
        public var replaced = 0
        public var unchanged = 0
        public var failed = 0
        public var skipped = 0
        public var transactions = 0
        /// The newest resourceVersion after the import.
        public var resourceVersion: Int64 = 0
    }

    private let store: RegistryStore

    /// Opens (creating on first use, with the default namespaces) the data directory of
    /// `configuration`; throws when a registry holds it.
    public init(configuration: RegistryConfiguration, logger: Logger = Logger(label: "clusterdns.registry.import"))
        async throws
    {
        store = try RegistryStore(
            directory: configuration.dataDirectory, serviceCIDR: configuration.serviceCIDR,
            historyLimit: configuration.historyLimit, logger: logger)
        try await store.seedIfEmpty()
    }

    /// Imports `entries` (namespaces first, then services, endpoint slices and pods, each in the
    /// order given), `batchSize` objects per transaction. `report` sees every object once, in
    /// that order, after its transaction committed.
    public func run(
        _ entries: [ManifestEntry], batchSize: Int = 2000, replaceExisting: Bool = false,
        report: (Report) -> Void = { _ in }
    ) async throws -> Summary {
        var summary = Summary()
        var writes: [(KubeResource, String, String, any Encodable & Sendable)] = []
        var namespaces: [(KubeResource, String, String, any Encodable & Sendable)] = []
        for entry in entries {
            switch entry {
            case .namespace(let object): namespaces.append((.namespaces, "", object.name, object))
            case .service(let object): writes.append((.services, object.namespace, object.name, object))
            case .endpointSlice(let object): writes.append((.endpointSlices, object.namespace, object.name, object))
            case .pod(let object): writes.append((.pods, object.namespace, object.name, object))
            case .skipped(let note):
                summary.skipped += 1
                report(Report(kind: "?", namespace: "", name: "?", outcome: .skipped(note)))
            case .invalid(let source, let kind, let name, let message):
                summary.failed += 1
                report(Report(
                    kind: kind.lowercased(), namespace: "", name: name,
                    outcome: .failed("\(source): cannot be decoded: \(message)")))
            }
        }
        // Kinds in dependency order; services before slices is only for readable reports.
        let ordered = namespaces + writes.filter { $0.0 == .services } + writes.filter { $0.0 == .endpointSlices }
            + writes.filter { $0.0 == .pods }
        let size = max(1, batchSize)
        var start = 0
        while start < ordered.count {
            let batch = Array(ordered[start..<min(start + size, ordered.count)])
            start += size
            let reports = try await store.pool.write { db in
                try self.write(db, batch, replaceExisting: replaceExisting)
            }
            summary.transactions += 1
            for line in reports {
                switch line.outcome {
                case .created: summary.created += 1
                case .replaced: summary.replaced += 1
                case .unchanged: summary.unchanged += 1
                case .failed: summary.failed += 1
                case .skipped: summary.skipped += 1
                }
                report(line)
            }
        }
        summary.resourceVersion = try await store.currentResourceVersion()
        return summary
    }

    /// One batch in one transaction: each object in a savepoint of its own, so a refused one
    /// leaves no trace (no half-reserved cluster IP) and the others stay.
    private func write(
        _ db: Database, _ batch: [(KubeResource, String, String, any Encodable & Sendable)], replaceExisting: Bool
    ) throws -> [Report] {
        var reports: [Report] = []
        var events: [WatchEvent] = []
        for (resource, namespace, name, object) in batch {
            let label = resource.group.isEmpty ? resource.singular : "\(resource.singular).\(resource.group)"
            var line = Report(kind: label, namespace: namespace, name: name, outcome: .created)
            do {
                var body = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(object))
                let pathNamespace: String? = resource.isNamespaced ? namespace : nil
                try db.inSavepoint {
                    do {
                        let stored = try store.insert(db, resource, namespace: pathNamespace, body: body)
                        events.append(WatchEvent(type: .added, object: stored))
                        line.name = stored.name  // a generateName gets its suffix here
                        line.resourceVersion = stored.resourceVersion
                    } catch RegistryError.alreadyExists {
                        guard replaceExisting else {
                            line.outcome = .unchanged
                            return .commit
                        }
                        // Unconditional, as `kubectl replace --force` would not be: the import
                        // is the newest truth for the objects it names.
                        body["metadata"]?["resourceVersion"] = nil
                        let stored = try store.replace(
                            db, resource, namespace: pathNamespace, name: name, change: .replace(body))
                        events.append(WatchEvent(type: .modified, object: stored))
                        line.outcome = .replaced
                        line.resourceVersion = stored.resourceVersion
                    }
                    return .commit
                }
            } catch let error as RegistryError {
                line.outcome = .failed(error.status.message ?? "\(error)")
                line.resourceVersion = nil
            } catch let error as EncodingError {
                line.outcome = .failed("cannot be encoded: \(error)")
            }
            reports.append(line)
        }
        try store.record(db, events)
        return reports
    }
}
