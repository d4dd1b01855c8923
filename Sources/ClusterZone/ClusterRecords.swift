import ClusterModel
import DNSWire

/// Derives the cluster zone's records from registry objects (SPEC.md sections 1-3).
struct ClusterRecords {
    let configuration: ZoneConfiguration
    private(set) var data: ZoneData
    /// One line per object that could not be turned into records, with the reason.
    private(set) var problems: [String] = []

    /// Records go into a fresh ``ZoneData`` per object: the model adds and takes them away
    /// object by object.
    private init(configuration: ZoneConfiguration) {
        self.configuration = configuration
        self.data = ZoneData()
    }

    private var zone: DNSName { configuration.zone }
    private var ttl: UInt32 { configuration.ttl }

    /// The zones' apexes (SOA, NS, the name server's address), `svc.<zone>` and `pod.<zone>`.
    static func apex(_ configuration: ZoneConfiguration, serial: UInt32, kubeDNS: Service?) -> ZoneData {
        var records = ClusterRecords(configuration: configuration)
        records.addApex(serial: serial, nameServerAddress: kubeDNSAddress(kubeDNS) ?? configuration.nameServerAddress)
        records.data.touch(records.name("svc", under: configuration.zone))
        records.data.touch(records.name("pod", under: configuration.zone))
        return records.data
    }

    /// `<ns>.svc.<zone>` and `<ns>.pod.<zone>` of a namespace that exists.
    static func namespace(_ configuration: ZoneConfiguration, _ namespace: String) -> (ZoneData, problems: [String]) {
        var records = ClusterRecords(configuration: configuration)
        guard NameRules.isDNS1123Label(namespace) else {
            return (records.data, ["namespace \(namespace): not a DNS-1123 label, skipped"])
        }
        let zone = configuration.zone
        records.data.touch(records.name(namespace, under: records.name("svc", under: zone)))
        records.data.mark(records.name(namespace, under: records.name("pod", under: zone)), podNamespace: true)
        return (records.data, [])
    }

    /// A service's names, from the service and the endpoint slices that belong to it.
    static func service(
        _ configuration: ZoneConfiguration, _ service: Service, slices: [EndpointSlice]
    ) -> (ZoneData, problems: [String]) {
        var records = ClusterRecords(configuration: configuration)
        records.add(service, slices: slices)
        records.data.trim()
        return (records.data, records.problems)
    }

    /// `<svc>.<ns>.svc.<zone>`: the service's records are at and below it, and no other
    /// object's are.
    static func serviceName(_ configuration: ZoneConfiguration, _ service: Service) -> DNSName {
        let records = ClusterRecords(configuration: configuration)
        let zone = configuration.zone
        return records.name(service.name, under: records.name(service.namespace, under: records.name("svc", under: zone)))
    }

    /// A pod's `<a-b-c-d>.<ns>.pod.<zone>` names (verified pod records).
    static func pod(_ configuration: ZoneConfiguration, _ pod: Pod) -> ZoneData {
        var records = ClusterRecords(configuration: configuration)
        records.add(pod)
        return records.data
    }

    private mutating func addApex(serial: UInt32, nameServerAddress: IPAddressBytes?) {
        let soa = SOAData(
            mname: configuration.nameServer, rname: name("hostmaster", under: zone), serial: serial,
            refresh: 7200, retry: 1800, expire: 86400, minimum: ttl)
        data.add(Record(owner: zone, ttl: configuration.soaTTL, data: .soa(soa)))
        data.add(Record(owner: zone, ttl: ttl, data: .ns(configuration.nameServer)))
        data.add(Record(owner: name("dns-version", under: zone), ttl: 28800, data: .txt(["1.1.0"])))
        if let address = nameServerAddress, configuration.nameServer.isSubdomain(of: zone) {
            data.add(Record(owner: configuration.nameServer, ttl: ttl, data: Self.addressData(address)))
        }
        for reverse in [ReverseName.ipv4Zone, ReverseName.ipv6Zone] {
            var reverseSOA = soa
            reverseSOA.minimum = ttl
            data.add(Record(owner: reverse, ttl: configuration.soaTTL, data: .soa(reverseSOA)))
        }
    }

    static let kubeDNSKey = "kube-system/kube-dns"

    private static func kubeDNSAddress(_ service: Service?) -> IPAddressBytes? {
        guard case .clusterIP(let ips) = service?.dnsKind else { return nil }
        return ips.lazy.compactMap { IPAddress($0)?.bytes }.first
    }

    private mutating func add(_ service: Service, slices: [EndpointSlice]) {
        let label = "service \(service.namespace)/\(service.name)"
        guard NameRules.isDNS1035Label(service.name), NameRules.isDNS1123Label(service.namespace) else {
            problems.append("\(label): name is not a DNS label, skipped")
            return
        }
        let owner = Self.serviceName(configuration, service)
        switch service.dnsKind {
        case .externalName(let target):
            addExternalName(owner: owner, target: target, label: label)
        case .clusterIP(let ips):
            if configuration.ignoreEmptyService,
                ReadyEndpoints(slices: slices, podNames: configuration.endpointPodNames).addresses.isEmpty
            {
                return
            }
            let addresses = ips.compactMap { IPAddress($0)?.bytes }
            if addresses.count < ips.count {
                problems.append("\(label): cluster IPs \(ips) include an invalid address, skipped it")
            }
            data.touch(owner)
            for address in addresses {
                data.add(Record(owner: owner, ttl: ttl, data: Self.addressData(address)))
                data.point(address, to: owner)
            }
            addPorts(service, owner: owner, targets: [owner], endpoints: nil)
        case .headless:
            let ready = ReadyEndpoints(slices: slices, podNames: configuration.endpointPodNames)
            guard !ready.addresses.isEmpty else { return }
            // One name per host, shared by its A record and the PTR and SRV records naming it.
            let hosts = ready.endpoints.map { name($0.host, under: owner) }
            for (endpoint, host) in zip(ready.endpoints, hosts) {
                let record = Self.addressData(endpoint.address)
                data.add(Record(owner: owner, ttl: ttl, data: record))
                data.add(Record(owner: host, ttl: ttl, data: record))
                data.point(endpoint.address, to: host)
            }
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
        guard let ports = service.spec.ports, !ports.isEmpty else { return }
        let hosts = targets.count == 1 ? targets : Array(Set(targets)).sorted()
        let weight = UInt16(max(1, 100 / max(1, hosts.count)))
        for port in ports {
            let proto = "_" + (port.protocol ?? "TCP").lowercased()
            let protoName = name(proto, under: owner)
            data.touch(protoName)
            guard let portName = port.name, !portName.isEmpty else { continue }
            let srvName = name("_" + portName.lowercased(), under: protoName)
            let number = endpoints?.port(named: port.name, protocol: port.protocol) ?? port.port
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
        for ip in pod.ips {
            guard let address = IPAddress(ip) else { continue }
            data.add(Record(owner: name(address.dashed, under: parent), ttl: ttl, data: Self.addressData(address.bytes)))
        }
    }

    static func addressData(_ address: IPAddressBytes) -> RData {
        address.count == 4 ? .a(AddressBytes(address)) : .aaaa(AddressBytes(address))
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
