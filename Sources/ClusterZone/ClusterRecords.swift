import ClusterModel
import DNSWire

/// Derives the cluster zone's records from registry objects (SPEC.md sections 1-3).
struct ClusterRecords {
    let configuration: ZoneConfiguration
    let serial: UInt32
    private(set) var data: ZoneData
    /// One line per object that could not be turned into records, with the reason.
    private(set) var problems: [String] = []

    init(configuration: ZoneConfiguration, serial: UInt32, data: ZoneData) {
        self.configuration = configuration
        self.serial = serial
        self.data = data
    }

    private var zone: DNSName { configuration.zone }
    private var ttl: UInt32 { configuration.ttl }

    mutating func add(_ state: ClusterState) {
        addApex(nameServerAddress: kubeDNSAddress(state) ?? configuration.nameServerAddress)
        let svc = name("svc", under: zone)
        let pod = name("pod", under: zone)
        data.touch(svc)
        data.touch(pod)
        for namespace in state.namespaceNames.sorted() {
            guard NameRules.isDNS1123Label(namespace) else {
                problems.append("namespace \(namespace): not a DNS-1123 label, skipped")
                continue
            }
            data.touch(name(namespace, under: svc))
            data.mark(name(namespace, under: pod), podNamespace: true)
        }
        let slices = Dictionary(grouping: state.endpointSlices) { ServiceKey($0.namespace, $0.serviceName ?? "") }
        for service in state.services {
            add(service, slices: slices[ServiceKey(service.namespace, service.name)] ?? [])
        }
        if configuration.pods == .verified {
            for pod in state.pods { add(pod) }
        }
    }

    private mutating func addApex(nameServerAddress: IPAddressBytes?) {
        let soa = SOAData(
            mname: configuration.nameServer, rname: name("hostmaster", under: zone), serial: serial,
            refresh: 7200, retry: 1800, expire: 86400, minimum: ttl)
        data.addZone(
            soa: Record(owner: zone, ttl: configuration.soaTTL, data: .soa(soa)),
            extra: [
                Record(owner: zone, ttl: ttl, data: .ns(configuration.nameServer)),
                Record(owner: name("dns-version", under: zone), ttl: 28800, data: .txt(["1.1.0"])),
            ])
        if let address = nameServerAddress, configuration.nameServer.isSubdomain(of: zone) {
            data.add(Record(owner: configuration.nameServer, ttl: ttl, data: Self.addressData(address)))
        }
        for reverse in [ReverseName.ipv4Zone, ReverseName.ipv6Zone] {
            var reverseSOA = soa
            reverseSOA.minimum = ttl
            data.addZone(soa: Record(owner: reverse, ttl: configuration.soaTTL, data: .soa(reverseSOA)))
        }
    }

    private func kubeDNSAddress(_ state: ClusterState) -> IPAddressBytes? {
        let service = state.services.first { $0.namespace == "kube-system" && $0.name == "kube-dns" }
        guard case .clusterIP(let ips) = service?.dnsKind else { return nil }
        return ips.lazy.compactMap { IPAddress($0)?.bytes }.first
    }

    private mutating func add(_ service: Service, slices: [EndpointSlice]) {
        let label = "service \(service.namespace)/\(service.name)"
        guard NameRules.isDNS1035Label(service.name), NameRules.isDNS1123Label(service.namespace) else {
            problems.append("\(label): name is not a DNS label, skipped")
            return
        }
        let owner = name(service.name, under: name(service.namespace, under: name("svc", under: zone)))
        switch service.dnsKind {
        case .externalName(let target):
            addExternalName(owner: owner, target: target, label: label)
        case .clusterIP(let ips):
            let ready = ReadyEndpoints(slices: slices, podNames: configuration.endpointPodNames)
            if configuration.ignoreEmptyService && ready.addresses.isEmpty { return }
            let addresses = ips.compactMap { IPAddress($0)?.bytes }
            if addresses.count < ips.count {
                problems.append("\(label): cluster IPs \(ips) include an invalid address, skipped it")
            }
            data.touch(owner)
            for address in addresses {
                data.add(Record(owner: owner, ttl: ttl, data: Self.addressData(address)))
                data.add(Record(owner: ReverseName.name(for: address), ttl: ttl, data: .ptr(owner)))
            }
            addPorts(service, owner: owner, targets: [owner], endpoints: nil)
        case .headless:
            let ready = ReadyEndpoints(slices: slices, podNames: configuration.endpointPodNames)
            guard !ready.addresses.isEmpty else { return }
            for endpoint in ready.endpoints {
                let host = name(endpoint.host, under: owner)
                let record = Self.addressData(endpoint.address)
                data.add(Record(owner: owner, ttl: ttl, data: record))
                data.add(Record(owner: host, ttl: ttl, data: record))
                data.add(Record(owner: ReverseName.name(for: endpoint.address), ttl: ttl, data: .ptr(host)))
            }
            let hosts = ready.endpoints.map { name($0.host, under: owner) }
            addPorts(service, owner: owner, targets: hosts, endpoints: ready)
        }
    }

    private mutating func addExternalName(owner: DNSName, target: String, label: String) {
        if let address = IPAddress(target) {
            data.add(Record(owner: owner, ttl: ttl, data: Self.addressData(address.bytes)))
            return
        }
        guard NameRules.isHostName(target), let targetName = try? DNSName(target) else {
            problems.append("\(label): externalName '\(target)' is not a host name, skipped")
            return
        }
        data.add(Record(owner: owner, ttl: ttl, data: .cname(targetName)))
        data.mark(owner, externalName: true)
    }

    /// SRV records of the named ports, one per target. Headless services take the port number
    /// from their endpoint slices when these carry it (the port the pods listen on).
    private mutating func addPorts(
        _ service: Service, owner: DNSName, targets: [DNSName], endpoints: ReadyEndpoints?
    ) {
        for port in service.spec.ports ?? [] {
            let proto = "_" + (port.protocol ?? "TCP").lowercased()
            data.touch(name(proto, under: owner))
            guard let portName = port.name, !portName.isEmpty else { continue }
            let srvName = name("_" + portName.lowercased(), under: name(proto, under: owner))
            let number = endpoints?.port(named: port.name, protocol: port.protocol) ?? port.port
            let hosts = Array(Set(targets)).sorted()
            let weight = UInt16(max(1, 100 / max(1, hosts.count)))
            for target in hosts {
                let srv = RData.srv(priority: 0, weight: weight, port: UInt16(clamping: number), target: target)
                data.add(Record(owner: srvName, ttl: ttl, data: srv))
                data.add(Record(owner: owner, ttl: ttl, data: srv))
            }
        }
    }

    private mutating func add(_ pod: Pod) {
        guard NameRules.isDNS1123Label(pod.namespace) else { return }
        let parent = name(pod.namespace, under: name("pod", under: zone))
        data.mark(parent, podNamespace: true)
        for ip in pod.ips {
            guard let address = IPAddress(ip) else { continue }
            data.add(Record(owner: name(address.dashed, under: parent), ttl: ttl, data: Self.addressData(address.bytes)))
        }
    }

    static func addressData(_ address: IPAddressBytes) -> RData {
        address.count == 4 ? .a(address) : .aaaa(address)
    }

    /// `label.parent`; labels here come from validated Kubernetes names, so this cannot fail
    /// short of a name over 255 octets, which we report and replace by a name that never matches.
    private func name(_ label: String, under parent: DNSName) -> DNSName {
        (try? parent.prepending(label.lowercased())) ?? parent
    }

    private struct ServiceKey: Hashable {
        let namespace: String
        let name: String
        init(_ namespace: String, _ name: String) {
            self.namespace = namespace
            self.name = name
        }
    }
}
