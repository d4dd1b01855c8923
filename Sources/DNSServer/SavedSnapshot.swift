import ClusterZone
import DNSWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where the last synced snapshot is kept between runs, and how to tell whether the registry
/// still holds what it was built from. Offered only for a source that can answer that (the
/// embedded registry: its event history says whether a kind changed after a version).
public struct SavedSnapshot: Sendable {
    public var path: String
    /// Which registry the saved state came from: a file from another one is not used.
    public var source: String
    /// Whether nothing of each kind changed in the source after its position (resource →
    /// resourceVersion, what the feed had handed out when the snapshot was built).
    public var isCurrent: @Sendable (_ positions: [String: String]) async -> Bool

    public init(path: String, source: String, isCurrent: @escaping @Sendable ([String: String]) async -> Bool) {
        self.path = path
        self.source = source
        self.isCurrent = isCurrent
    }

    /// Everything a saved snapshot's answers depend on besides the registry's objects: the
    /// zone settings, the static zones' records and the source. Any change means a rebuild.
    func identity(zone: ZoneConfiguration, staticZones: [StaticZone]) -> String {
        var digest = SnapshotDigest()
        for staticZone in staticZones {
            digest.add(staticZone.apex.description)
            for record in staticZone.records { digest.add(String(describing: record)) }
        }
        return "zone \(String(describing: zone)); static zones \(staticZones.count) \(digest.hex); source \(source); "
            + "program \(Self.program)"
    }

    /// This executable's size and modification time: another build may compile answers
    /// otherwise even where its structs are laid out alike, so it does not use our files.
    static let program: String = {
        var stats = stat()
        guard stat("/proc/self/exe", &stats) == 0 else { return "unknown" }
        return "\(stats.st_size) bytes, modified \(stats.st_mtim.tv_sec).\(stats.st_mtim.tv_nsec)"
    }()

    /// The annotations a saved snapshot carries: positions and object counts.
    static func annotations(positions: [String: String], facts: ServerStatus.SnapshotFacts) -> [String: String] {
        var annotations = Dictionary(uniqueKeysWithValues: positions.map { ("position." + $0.key, $0.value) })
        annotations["count.services"] = String(facts.services)
        annotations["count.endpointSlices"] = String(facts.endpointSlices)
        annotations["count.namespaces"] = String(facts.namespaces)
        annotations["count.pods"] = String(facts.pods)
        return annotations
    }

    static func positions(in annotations: [String: String]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: annotations.compactMap { key, value in
            key.hasPrefix("position.") ? (String(key.dropFirst("position.".count)), value) : nil
        })
    }

    static func facts(_ snapshot: ZoneSnapshot, annotations: [String: String]) -> ServerStatus.SnapshotFacts {
        var facts = ServerStatus.SnapshotFacts()
        facts.serial = snapshot.serial
        facts.names = snapshot.nameCount
        facts.services = annotations["count.services"].flatMap(Int.init) ?? 0
        facts.endpointSlices = annotations["count.endpointSlices"].flatMap(Int.init) ?? 0
        facts.namespaces = annotations["count.namespaces"].flatMap(Int.init) ?? 0
        facts.pods = annotations["count.pods"].flatMap(Int.init) ?? 0
        return facts
    }
}

/// FNV-1a over text, stable across runs (unlike `Hasher`).
struct SnapshotDigest {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ text: String) {
        for byte in text.utf8 + [0] {
            value = (value ^ UInt64(byte)) &* 0x100_0000_01b3
        }
    }

    var hex: String { String(value, radix: 16) }
}
