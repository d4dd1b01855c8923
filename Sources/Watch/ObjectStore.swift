import ClusterModel
import Synchronization

/// The objects the feed has seen, per kind, and a change counter. Shared by the reflector
/// tasks and the publisher; never touched by the DNS query path.
final class ObjectStore: Sendable {
    private struct Contents {
        var objects: [KubeResource: [String: any ClusterObject]] = [:]
        /// Kinds listed at least once: only then is the state complete for them.
        var listed: Set<KubeResource> = []
        var version = 0
        /// When the oldest change not yet handed out by ``state()`` arrived.
        var changeReceived: ContinuousClock.Instant?

        mutating func changed() {
            version += 1
            if changeReceived == nil { changeReceived = .now }
        }
    }

    private let contents = Mutex(Contents())
    /// Yields after every change; holds at most one pending signal, so bursts coalesce.
    let changes: AsyncStream<Void>
    private let signal: AsyncStream<Void>.Continuation

    init() {
        (changes, signal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Replaces every object of the kind (after a list): deletes missed meanwhile disappear.
    func replace<T: ClusterObject>(_ objects: [T]) {
        let table = Dictionary(objects.map { ($0.key, $0 as any ClusterObject) }, uniquingKeysWith: { _, last in last })
        contents.withLock {
            $0.objects[T.resource] = table
            $0.listed.insert(T.resource)
            $0.changed()
        }
        signal.yield()
    }

    func upsert<T: ClusterObject>(_ object: T) {
        contents.withLock {
            $0.objects[T.resource, default: [:]][object.key] = object
            $0.changed()
        }
        signal.yield()
    }

    func remove<T: ClusterObject>(_ object: T) {
        contents.withLock {
            $0.objects[T.resource]?[object.key] = nil
            $0.changed()
        }
        signal.yield()
    }

    var version: Int { contents.withLock { $0.version } }
    var listedKinds: Int { contents.withLock { $0.listed.count } }

    /// The current objects as a `ClusterState`, with the version it corresponds to and when
    /// the oldest change since the previous call arrived.
    func state() -> (state: ClusterState, version: Int, changeReceived: ContinuousClock.Instant?) {
        contents.withLock { contents in
            let received = contents.changeReceived
            contents.changeReceived = nil
            func all<T>(_ resource: KubeResource, as type: T.Type) -> [T] {
                (contents.objects[resource] ?? [:]).values.compactMap { $0 as? T }
            }
            let state = ClusterState(
                namespaces: all(.namespaces, as: Namespace.self), services: all(.services, as: Service.self),
                endpointSlices: all(.endpointSlices, as: EndpointSlice.self), pods: all(.pods, as: Pod.self))
            return (state, contents.version, received)
        }
    }
}
