import ClusterModel
import DNSWire

/// Which namespace each known pod address lives in: what autopath needs to know which search
/// list a client walks (SPEC.md section 5). Read per NXDOMAIN only. Sharded by address so a
/// publish copies only the shards whose addresses changed.
struct ClientNamespaces: Sendable {
    /// The addresses of a shard in order, each with its namespace's index in ``suffixes``.
    struct Shard: Sendable {
        var addresses: [ClientAddress] = []
        var namespaces: [Int32] = []
    }

    /// `<ns>.svc.<zone>` of each namespace, lower-case wire form.
    let suffixes: [[UInt8]]
    let shards: [Shard]
    let count: Int

    static let shardBits = 6
    static let shardCount = 1 << shardBits
    static let empty = ClientNamespaces(suffixes: [], shards: [], count: 0)

    var isEmpty: Bool { count == 0 }

    @inline(__always)
    static func shard(of client: ClientAddress) -> Int {
        client.shard(bits: shardBits)
    }

    /// The namespace suffix of `client`, if it is a known pod.
    @inline(__always)
    func suffix(of client: ClientAddress) -> [UInt8]? {
        let shard = shards[Self.shard(of: client)]
        guard let entry = shard.addresses.sortedIndex(of: client) else { return nil }
        return suffixes[Int(shard.namespaces[entry])]
    }
}

/// The claims behind ``ClientNamespaces``, kept up to date object by object. Pods come first
/// (their status is the truth), then ready or not endpoint addresses whose targetRef is a pod.
/// An address claimed by two namespaces is left out and reported: guessing would send a
/// client down another namespace's search list.
struct ClientIndex {
    /// The namespace of each object claiming an address, by its index in `namespaces`.
    private var podClaims = AddressMultimap<Int32>(shardBits: ClientNamespaces.shardBits)
    private var endpointClaims = AddressMultimap<Int32>(shardBits: ClientNamespaces.shardBits)
    /// Every namespace claimed so far, with its suffix (empty when it makes no valid name).
    private var namespaces: [String] = []
    private var suffixes: [[UInt8]] = []
    private var namespaceIndex: [String: Int32] = [:]
    private var shards = [ClientNamespaces.Shard](repeating: .init(), count: ClientNamespaces.shardCount)
    private var count = 0
    /// Per shard, its addresses in two namespaces, as problem lines.
    private var ambiguous = [[String]](repeating: [], count: ClientNamespaces.shardCount)
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
        let index = intern(namespace)
        if byPod {
            podClaims.change(client, index, adding: adding)
        } else {
            endpointClaims.change(client, index, adding: adding)
        }
    }

    /// The current map, with the shards whose addresses changed made again.
    mutating func take() -> (ClientNamespaces, problems: [String]) {
        let (podShards, podChanges) = podClaims.merge()
        let (endpointShards, endpointChanges) = endpointClaims.merge()
        let merged = Set(podShards + endpointShards).sorted()
        let built = parallelMap(
            count: merged.count, workers: AddressMultimap<Int32>.workers(forChanges: podChanges + endpointChanges)
        ) { [self] in
            build(pods: podClaims.shards[merged[$0]], endpoints: endpointClaims.shards[merged[$0]])
        }
        for (offset, index) in merged.enumerated() {
            let (shard, lines) = built[offset]
            count += shard.addresses.count - shards[index].addresses.count
            shards[index] = shard
            ambiguous[index] = lines
        }
        return (ClientNamespaces(suffixes: suffixes, shards: shards, count: count), ambiguous.joined().sorted())
    }

    /// One shard of the map: each address with the namespace its pods claim it for, or where
    /// no pod does, its endpoints.
    private func build(
        pods: AddressMultimap<Int32>.Shard, endpoints: AddressMultimap<Int32>.Shard
    ) -> (ClientNamespaces.Shard, [String]) {
        var shard = ClientNamespaces.Shard()
        shard.addresses.reserveCapacity(max(pods.count, endpoints.count))
        shard.namespaces.reserveCapacity(max(pods.count, endpoints.count))
        var lines: [String] = []
        var (pod, endpoint) = (0, 0)
        while pod < pods.count || endpoint < endpoints.count {
            let claims: ArraySlice<Int32>
            let address: ClientAddress
            if endpoint == endpoints.count || (pod < pods.count && pods.addresses[pod] <= endpoints.addresses[endpoint]) {
                (address, claims) = (pods.addresses[pod], pods.values(pod))
                if endpoint < endpoints.count, endpoints.addresses[endpoint] == address { endpoint += 1 }
                pod += 1
            } else {
                (address, claims) = (endpoints.addresses[endpoint], endpoints.values(endpoint))
                endpoint += 1
            }
            // Sorted: one namespace when the first and the last are the same.
            guard claims.first == claims.last else {
                let names = Set(claims.map { namespaces[Int($0)] }).sorted()
                lines.append("autopath: \(address) is in namespaces " + names.joined(separator: " and ")
                    + ", its queries get no server-side search")
                continue
            }
            guard let index = claims.first, !suffixes[Int(index)].isEmpty else { continue }
            shard.addresses.append(address)
            shard.namespaces.append(index)
        }
        // Nearly always the endpoints' own addresses: the same array then, not a copy.
        if shard.addresses == endpoints.addresses { shard.addresses = endpoints.addresses }
        return (shard, lines)
    }

    private mutating func intern(_ namespace: String) -> Int32 {
        if let index = namespaceIndex[namespace] { return index }
        let index = Int32(namespaces.count)
        namespaceIndex[namespace] = index
        namespaces.append(namespace)
        suffixes.append((try? zone.prepending("svc").prepending(namespace.lowercased()))?.wire ?? [])
        return index
    }
}
