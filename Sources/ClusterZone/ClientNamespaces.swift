import ClusterModel
import DNSWire

/// Which namespace each known pod address lives in: what autopath needs to know which search
/// list a client walks (SPEC.md section 5). Built with the snapshot, read per NXDOMAIN only.
struct ClientNamespaces: Sendable {
    /// `<ns>.svc.<zone>` of each namespace, lower-case wire form.
    let suffixes: [[UInt8]]
    let byAddress: [ClientAddress: Int32]

    static let empty = ClientNamespaces(suffixes: [], byAddress: [:])

    var isEmpty: Bool { byAddress.isEmpty }

    /// The namespace suffix of `client`, if it is a known pod.
    @inline(__always)
    func suffix(of client: ClientAddress) -> [UInt8]? {
        guard let index = byAddress[client] else { return nil }
        return suffixes[Int(index)]
    }

    /// Pods first (their status is the truth), then ready or not endpoint addresses whose
    /// targetRef is a pod. An address claimed by two namespaces is left out and reported:
    /// guessing would send a client down another namespace's search list.
    static func build(state: ClusterState, zone: DNSName) -> (ClientNamespaces, problems: [String]) {
        var owners: [ClientAddress: String] = [:]
        var ambiguous: [ClientAddress: String] = [:]
        func claim(_ ip: String, _ namespace: String) {
            guard NameRules.isDNS1123Label(namespace), let address = IPAddress(ip),
                let client = ClientAddress(bytes: address.bytes)
            else { return }
            if let owner = owners[client], owner != namespace {
                ambiguous[client] = "\(ip) is in namespaces \(owner) and \(namespace)"
            }
            owners[client] = owners[client] ?? namespace
        }
        for pod in state.pods {
            for ip in pod.ips { claim(ip, pod.namespace) }
        }
        var podAddresses = Set(owners.keys)
        for slice in state.endpointSlices {
            for endpoint in slice.endpoints ?? [] {
                guard let reference = endpoint.targetRef, (reference.kind ?? "Pod") == "Pod" else { continue }
                for ip in endpoint.addresses {
                    // A pod object already said where this address lives.
                    if let address = IPAddress(ip), let client = ClientAddress(bytes: address.bytes),
                        podAddresses.contains(client)
                    {
                        continue
                    }
                    claim(ip, reference.namespace ?? slice.namespace)
                }
            }
        }
        podAddresses.removeAll()
        var suffixes: [[UInt8]] = []
        var indexOf: [String: Int32] = [:]
        var byAddress: [ClientAddress: Int32] = [:]
        var problems = ambiguous.values.sorted().map { "autopath: \($0), its queries get no server-side search" }
        for (client, namespace) in owners where ambiguous[client] == nil {
            if indexOf[namespace] == nil {
                do {
                    let suffix = try zone.prepending("svc").prepending(namespace.lowercased())
                    indexOf[namespace] = Int32(suffixes.count)
                    suffixes.append(suffix.wire)
                } catch {
                    problems.append("autopath: namespace \(namespace): \(error)")
                    indexOf[namespace] = -1
                }
            }
            if let index = indexOf[namespace], index >= 0 { byAddress[client] = index }
        }
        return (ClientNamespaces(suffixes: suffixes, byAddress: byAddress), problems)
    }
}
