import ClusterModel
import Foundation
import Hummingbird
import NIOCore

/// What a client asked to watch.
struct WatchRequest: Sendable {
    var resource: KubeResource
    var namespace: String?
    var filter: ObjectFilter
    /// Resume after this version; nil (or 0) starts with the current objects as ADDED events.
    var resourceVersion: Int64?
    var bookmarks: Bool
    /// `sendInitialEvents=true` (client-go's WatchList): after the starting ADDED events, a
    /// BOOKMARK annotated `k8s.io/initial-events-end` says the initial state is complete.
    var initialEventsEnd: Bool
    /// Send each object as a one-row `Table` (kubectl's `get -w`).
    var asTable: Bool
    var timeout: Duration
}

/// One open watch: writes the starting events, then every matching committed event, one JSON
/// object per line, until the timeout, the client leaving, or the registry shutting down.
struct WatchStream: Sendable {
    let store: RegistryStore
    let request: WatchRequest
    let subscription: WatchHub.Subscription
    let bookmarkInterval: Duration

    func write(to writer: inout any ResponseBodyWriter) async throws {
        let hub = store.hub
        let id = subscription.id
        defer { hub.unsubscribe(id) }
        let timers = startTimers()
        defer { timers.cancel() }

        var position: Int64
        var columnsSent = false
        do {
            position = try await writeStart(to: &writer, &columnsSent)
            if request.initialEventsEnd && request.bookmarks {
                try await writer.write(Self.line(type: "BOOKMARK", object: try bookmark(position, initialEventsEnd: true)))
            }
        } catch let error as RegistryError {
            try await writer.write(Self.line(type: "ERROR", object: try RegistryJSON.encode(error.status)))
            try await writer.finish(nil)
            return
        }
        signals: for await signal in subscription.signals {
            switch signal {
            case .event(let event):
                guard event.resourceVersion > position else { continue }
                position = event.resourceVersion
                if event.object.resource == request.resource, inScope(event.object) {
                    try await writer.write(Self.line(type: event.type.rawValue, object: try payload(event.object, &columnsSent)))
                }
            case .bookmarkDue, .timeUp:
                // A bookmark as the watch times out too, as Kubernetes' watch cache sends: a
                // client watching a quiet kind then resumes from a version the history still
                // holds, not from its previous bookmark, which churn in other kinds may have
                // pushed out of the history meanwhile (a 410 and a whole relist).
                if request.bookmarks {
                    try await writer.write(Self.line(type: "BOOKMARK", object: try bookmark(position)))
                }
                if case .timeUp = signal { break signals }
            }
        }
        try await writer.finish(nil)
    }

    /// Writes the current objects (no version given) or the history after the given version;
    /// returns the version the stream has reached.
    private func writeStart(to writer: inout any ResponseBodyWriter, _ columnsSent: inout Bool) async throws -> Int64 {
        if let from = request.resourceVersion, from > 0 {
            let history = try await store.events(after: from)
            for event in history.events where event.object.resource == request.resource && inScope(event.object) {
                try await writer.write(Self.line(type: event.type.rawValue, object: try payload(event.object, &columnsSent)))
            }
            return history.through
        }
        let snapshot = try await store.list(request.resource, namespace: request.namespace, matching: request.filter.matches)
        for object in snapshot.items {
            try await writer.write(Self.line(type: "ADDED", object: try payload(object, &columnsSent)))
        }
        return snapshot.resourceVersion
    }

    /// The object as sent: itself, or a one-row Table (column definitions only on the first).
    private func payload(_ object: StoredObject, _ columnsSent: inout Bool) throws -> Data {
        guard request.asTable else { return object.json }
        defer { columnsSent = true }
        return try ServerTable.table(request.resource, [object], resourceVersion: nil, columns: !columnsSent)
    }

    private func inScope(_ object: StoredObject) -> Bool {
        if let namespace = request.namespace, request.resource.isNamespaced, object.namespace != namespace {
            return false
        }
        return request.filter.matches(object)
    }

    private func bookmark(_ version: Int64, initialEventsEnd: Bool = false) throws -> Data {
        var metadata: JSONValue = ["resourceVersion": .string(String(version))]
        if initialEventsEnd { metadata["annotations"] = ["k8s.io/initial-events-end": "true"] }
        let object: JSONValue = [
            "kind": .string(request.resource.kind), "apiVersion": .string(request.resource.apiVersion),
            "metadata": metadata,
        ]
        return try RegistryJSON.encode(object)
    }

    /// Bookmark ticks and the end of the watch arrive on the same stream as events, so one loop
    /// serves all three in order.
    private func startTimers() -> Task<Void, Never> {
        let continuation = subscription.continuation
        let interval = bookmarkInterval
        let timeout = request.timeout
        let wantsBookmarks = request.bookmarks
        return Task {
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: timeout)
            while true {
                let next = wantsBookmarks ? min(clock.now.advanced(by: interval), deadline) : deadline
                do {
                    try await clock.sleep(until: next)
                } catch {
                    return  // cancelled: the watch has ended
                }
                if clock.now >= deadline {
                    continuation.yield(.timeUp)
                    return
                }
                continuation.yield(.bookmarkDue)
            }
        }
    }

    static func line(type: String, object: Data) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeString("{\"type\":\"\(type)\",\"object\":")
        buffer.writeBytes(object)
        buffer.writeString("}\n")
        return buffer
    }
}
