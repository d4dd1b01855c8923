import ClusterModel

/// Field rules for EndpointSlices and Pods (services have `ServiceAdmission`).
enum ObjectValidation {
    static func validate(_ slice: EndpointSlice) -> [FieldError] {
        var errors: [FieldError] = []
        let addressType = slice.addressType ?? ""
        if addressType.isEmpty {
            errors.append(.required("addressType"))
        } else if !["IPv4", "IPv6", "FQDN"].contains(addressType) {
            errors.append(.unsupported("addressType", addressType, supported: ["FQDN", "IPv4", "IPv6"]))
        }
        for (index, endpoint) in (slice.endpoints ?? []).enumerated() {
            let path = "endpoints[\(index)]"
            if endpoint.addresses.isEmpty || endpoint.addresses.count > 100 {
                errors.append(.invalid("\(path).addresses", "\(endpoint.addresses.count)", "must contain 1 to 100 addresses"))
            }
            for (position, address) in endpoint.addresses.enumerated() {
                if let problem = addressProblem(address, type: addressType) {
                    errors.append(.invalid("\(path).addresses[\(position)]", "\"\(address)\"", problem))
                }
            }
            if let hostname = endpoint.hostname, !NameRules.isDNS1123Label(hostname) {
                errors.append(.invalid("\(path).hostname", "\"\(hostname)\"", Messages.dns1123Label))
            }
        }
        var names = Set<String>()
        for (index, port) in (slice.ports ?? []).enumerated() {
            let path = "ports[\(index)]"
            let name = port.name ?? ""
            if !name.isEmpty && !NameRules.isDNS1123Label(name) {
                errors.append(.invalid("\(path).name", "\"\(name)\"", Messages.dns1123Label))
            }
            if !names.insert(name).inserted {
                errors.append(.duplicate("\(path).name", "\"\(name)\""))
            }
            if let number = port.port, !(1...65535).contains(number) {
                errors.append(.invalid("\(path).port", "\(number)", Messages.portRange))
            }
            if let proto = port.protocol, !Messages.protocols.contains(proto) {
                errors.append(.unsupported("\(path).protocol", proto, supported: Messages.protocols))
            }
        }
        return errors
    }

    static func validate(_ pod: Pod) -> [FieldError] {
        var errors: [FieldError] = []
        if let ip = pod.status?.podIP, !ip.isEmpty, IPAddress(ip) == nil {
            errors.append(.invalid("status.podIP", "\"\(ip)\"", "must be a valid IP address"))
        }
        for (index, entry) in (pod.status?.podIPs ?? []).enumerated() where IPAddress(entry.ip) == nil {
            errors.append(.invalid("status.podIPs[\(index)].ip", "\"\(entry.ip)\"", "must be a valid IP address"))
        }
        return errors
    }

    private static func addressProblem(_ address: String, type: String) -> String? {
        switch type {
        case "IPv4":
            return IPAddress(address)?.isIPv4 == true ? nil : "must be a valid IPv4 address"
        case "IPv6":
            return IPAddress(address).map { !$0.isIPv4 } == true ? nil : "must be a valid IPv6 address"
        case "FQDN":
            return NameRules.isHostName(address) ? nil : Messages.dns1123Subdomain
        default:
            return nil
        }
    }
}
