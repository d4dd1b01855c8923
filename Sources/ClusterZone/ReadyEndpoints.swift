import ClusterModel

/// The ready endpoints of one service across all its slices, duplicates removed, each with the
/// host label DNS names it by.
struct ReadyEndpoints {
    struct Entry: Hashable {
        /// `hostname`, else the pod name (with `--endpoint-pod-names`), else the dashed IP.
        let host: String
        let address: IPAddressBytes
    }

    private(set) var endpoints: [Entry] = []
    private let slicePorts: [EndpointPort]

    var addresses: Set<IPAddressBytes> { Set(endpoints.map(\.address)) }

    init(slices: [EndpointSlice], podNames: Bool) {
        var seenAddresses = Set<IPAddressBytes>()
        for slice in slices.sorted(by: { $0.name < $1.name }) {
            for endpoint in slice.endpoints ?? [] where endpoint.isReady {
                for text in endpoint.addresses {
                    guard let address = IPAddress(text) else { continue }
                    var host = address.dashed
                    if let hostname = endpoint.hostname, NameRules.isDNS1123Label(hostname) {
                        host = hostname
                    } else if podNames, let pod = endpoint.targetRef?.name, NameRules.isDNS1123Label(pod) {
                        host = pod
                    }
                    // Duplicate addresses across slices are answered once (the first slice wins).
                    guard seenAddresses.insert(address.bytes).inserted else { continue }
                    endpoints.append(Entry(host: host, address: address.bytes))
                }
            }
        }
        slicePorts = slices.flatMap { $0.ports ?? [] }
    }

    /// The endpoint port number for a service port name and protocol, when the slices carry it.
    func port(named name: String?, protocol proto: String?) -> Int? {
        slicePorts.first { $0.name == name && ($0.protocol ?? "TCP") == (proto ?? "TCP") }?.port
    }
}
