/// The objects as the DNS side keeps them: the fields its answers and autopath read, and
/// nothing else. A watch cache keeps these: at 100,000 services the labels, selectors, uids,
/// timestamps and node names it leaves out are some 70 MB, and a change to only those (or a
/// new resourceVersion alone) compares equal and compiles nothing.
extension ObjectMeta {
    var dnsFields: ObjectMeta {
        ObjectMeta(name: name, namespace: namespace)
    }
}

extension Namespace {
    public var dnsFields: Namespace {
        var kept = Namespace(name: name)
        kept.metadata = metadata.dnsFields
        return kept
    }
}

extension Service {
    public var dnsFields: Service {
        let spec = ServiceSpec(
            type: spec.type, clusterIP: spec.clusterIP, clusterIPs: spec.clusterIPs,
            ports: spec.ports?.map { ServicePort(name: $0.name, protocol: $0.protocol, port: $0.port) },
            externalName: spec.externalName, publishNotReadyAddresses: spec.publishNotReadyAddresses)
        var kept = Service(name: name, namespace: namespace, spec: spec)
        kept.metadata = metadata.dnsFields
        return kept
    }
}

extension EndpointSlice {
    public var dnsFields: EndpointSlice {
        let endpoints = endpoints?.map { endpoint in
            Endpoint(
                addresses: endpoint.addresses, ready: endpoint.conditions?.ready, hostname: endpoint.hostname,
                targetRef: endpoint.targetRef.map { ObjectReference(kind: $0.kind, name: $0.name, namespace: $0.namespace) })
        }
        var kept = EndpointSlice(
            name: name, namespace: namespace, serviceName: serviceName ?? "",
            addressType: addressType ?? "IPv4", endpoints: endpoints ?? [], ports: ports)
        var metadata = metadata.dnsFields
        metadata.labels = serviceName.map { [Self.serviceNameLabel: $0] }
        kept.metadata = metadata
        kept.addressType = addressType
        kept.endpoints = endpoints
        return kept
    }
}

extension Pod {
    public var dnsFields: Pod {
        var kept = Pod(name: name, namespace: namespace, ips: [])
        kept.metadata = metadata.dnsFields
        kept.status = status.map { PodStatus(podIP: $0.podIP, podIPs: $0.podIPs) }
        return kept
    }
}
