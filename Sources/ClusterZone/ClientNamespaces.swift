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
    private var podClaims: [ClientAddress: CountedSet<String>] = [:]
    private var endpointClaims: [ClientAddress: CountedSet<String>] = [:]
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
        // The namespaces claiming the address, with how many objects claim it in each.
        var claims = (byPod ? podClaims[client] : endpointClaims[client]) ?? CountedSet()
        if adding { claims.add(namespace) } else { claims.remove(namespace) }
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
            let claims = podClaims[client] ?? endpointClaims[client] ?? CountedSet()
            let before = shards[shard].removeValue(forKey: client)
            ambiguous[client] = nil
            if claims.hasSeveral {
                ambiguous[client] = "autopath: \(client) is in namespaces "
                    + claims.sorted.joined(separator: " and ") + ", its queries get no server-side search"
            } else if let namespace = claims.sorted.first, let index = suffix(namespace) {
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
