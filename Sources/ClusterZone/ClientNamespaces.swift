import ClusterModel
import DNSWire

/// Which namespace each known pod address lives in: what autopath needs to know which search
/// list a client walks (SPEC.md section 5). Read per NXDOMAIN only. Sharded by address so a
/// publish copies only the shards whose addresses changed.
struct ClientNamespaces: Sendable {
    /// `<ns>.svc.<zone>` of each namespace, lower-case wire form.
    let suffixes: [[UInt8]]
    let shards: [[ClientAddress: Int32]]
    let count: Int

    static let shardCount = 64
    static let empty = ClientNamespaces(suffixes: [], shards: [], count: 0)

    var isEmpty: Bool { count == 0 }

    @inline(__always)
    static func shard(of client: ClientAddress) -> Int {
        Int(truncatingIfNeeded: ((client.high ^ client.low) &* 0x9E37_79B9_7F4A_7C15) >> 58)
    }

    /// The namespace suffix of `client`, if it is a known pod.
    @inline(__always)
    func suffix(of client: ClientAddress) -> [UInt8]? {
        guard let index = shards[Self.shard(of: client)][client] else { return nil }
        return suffixes[Int(index)]
    }
}

/// The claims behind ``ClientNamespaces``, kept up to date object by object. Pods come first
/// (their status is the truth), then ready or not endpoint addresses whose targetRef is a pod.
/// An address claimed by two namespaces is left out and reported: guessing would send a
/// client down another namespace's search list.
struct ClientIndex {
    private var podClaims: [ClientAddress: Claims] = [:]
    private var endpointClaims: [ClientAddress: Claims] = [:]
    private var dirty: Set<ClientAddress> = []
    private var suffixes: [[UInt8]] = []
    private var suffixIndex: [String: Int32] = [:]
    private var shards = [[ClientAddress: Int32]](repeating: [:], count: ClientNamespaces.shardCount)
    private var count = 0
    /// Addresses in two namespaces, as problem lines.
    private(set) var ambiguous: [ClientAddress: String] = [:]
    let zone: DNSName

    init(zone: DNSName) {
        self.zone = zone
    }

    mutating func pod(_ pod: Pod, adding: Bool) {
        for ip in pod.ips { claim(ip, pod.namespace, byPod: true, adding: adding) }
    }

    mutating func slice(_ slice: EndpointSlice, adding: Bool) {
        for endpoint in slice.endpoints ?? [] {
            guard let reference = endpoint.targetRef, (reference.kind ?? "Pod") == "Pod" else { continue }
            for ip in endpoint.addresses {
                claim(ip, reference.namespace ?? slice.namespace, byPod: false, adding: adding)
            }
        }
    }

    private mutating func claim(
        _ ip: String, _ namespace: String, byPod: Bool, adding: Bool
    ) {
        guard NameRules.isDNS1123Label(namespace), let address = IPAddress(ip),
            let client = ClientAddress(bytes: address.bytes)
        else { return }
        var claims = (byPod ? podClaims[client] : endpointClaims[client]) ?? Claims()
        claims.change(namespace, by: adding ? 1 : -1)
        if byPod {
            podClaims[client] = claims.isEmpty ? nil : claims
        } else {
            endpointClaims[client] = claims.isEmpty ? nil : claims
        }
        dirty.insert(client)
    }

    /// The current map, with the shards whose addresses changed copied and updated.
    mutating func take() -> (ClientNamespaces, problems: [String]) {
        for client in dirty {
            let shard = ClientNamespaces.shard(of: client)
            let claims = podClaims[client] ?? endpointClaims[client] ?? Claims()
            let before = shards[shard].removeValue(forKey: client)
            ambiguous[client] = nil
            if claims.isAmbiguous {
                ambiguous[client] = "autopath: \(client) is in namespaces "
                    + claims.namespaces.joined(separator: " and ") + ", its queries get no server-side search"
            } else if let namespace = claims.namespaces.first, let index = suffix(namespace) {
                shards[shard][client] = index
            }
            count += (shards[shard][client] == nil ? 0 : 1) - (before == nil ? 0 : 1)
        }
        dirty.removeAll()
        return (ClientNamespaces(suffixes: suffixes, shards: shards, count: count), ambiguous.values.sorted())
    }

    private mutating func suffix(_ namespace: String) -> Int32? {
        if let index = suffixIndex[namespace] { return index >= 0 ? index : nil }
        do {
            let suffix = try zone.prepending("svc").prepending(namespace.lowercased())
            suffixIndex[namespace] = Int32(suffixes.count)
            suffixes.append(suffix.wire)
            return Int32(suffixes.count - 1)
        } catch {
            suffixIndex[namespace] = -1
            return nil
        }
    }
}

/// The namespaces that claim one address, with how many objects claim it in each. Nearly
/// always one, held inline: a dictionary per address cost ~150 bytes each, 20 MB at 130,000
/// endpoints.
private struct Claims {
    private var first: String?
    private var firstCount = 0
    /// Namespaces beyond the first (an address claimed twice over: reported, not served).
    private var others: [String: Int] = [:]

    var isEmpty: Bool { first == nil }
    var isAmbiguous: Bool { !others.isEmpty }
    /// Sorted, so problem lines read the same run to run.
    var namespaces: [String] { ((first.map { [$0] } ?? []) + others.keys).sorted() }

    mutating func change(_ namespace: String, by step: Int) {
        guard let current = first else {
            if step > 0 { (first, firstCount) = (namespace, step) }
            return
        }
        guard current == namespace else {
            let count = (others[namespace] ?? 0) + step
            others[namespace] = count > 0 ? count : nil
            return
        }
        firstCount += step
        guard firstCount <= 0 else { return }
        // The first namespace is gone: another (if any) takes its place.
        if let next = others.min(by: { $0.key < $1.key }) {
            others[next.key] = nil
            (first, firstCount) = (next.key, next.value)
        } else {
            (first, firstCount) = (nil, 0)
        }
    }
}
