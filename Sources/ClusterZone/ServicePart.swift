import ClusterModel
import DNSWire

/// A service's records, split in two. Its own names, at and below `<svc>.<ns>.svc.<zone>`,
/// which no other object gives: compiled straight from here into the shards and never kept in
/// the ``ZoneModel`` (at N = 100,000 the model held some 100 MB of them). And the rest, for the
/// model: PTR records, the reverse names they make exist. A service whose alias leads into our
/// zones stays whole in the model: the model tracks which names an answer read on the way.
struct ServicePart: Sendable {
    /// `<svc>.<ns>.svc.<zone>`.
    let root: DNSName
    /// Every record of the service: its own names among them, when ``standsAlone``.
    let data: ZoneData
    /// Whether the names at and below ``root`` are compiled from here, not kept in the model.
    let standsAlone: Bool
    /// The service's own names, with their ``NameTable/hash(_:)`` (made here, on the cores
    /// that make a whole list's parts); none when the model takes the whole part.
    let owned: [(name: DNSName, hash: Int)]
    let problems: [String]

    var ownedCount: Int { owned.count }

    init(_ configuration: ZoneConfiguration, _ service: Service, slices: [EndpointSlice], apexes: Set<DNSName>) {
        let (data, problems) = ClusterRecords.service(configuration, service, slices: slices)
        let root = ClusterRecords.serviceName(configuration, service)
        self.root = root
        self.data = data
        standsAlone = Self.standsAlone(data.nodes, root: root, zone: configuration.zone, apexes: apexes)
        owned = !standsAlone ? [] : data.nodes.keys.filter { $0.isSubdomain(of: root) }.map { name in
            (name, name.wire.withUnsafeBytes { NameTable.hash($0) })
        }
        self.problems = problems
    }

    /// Whether `owned` can be compiled without the model: it is a whole subtree under `root`,
    /// a service's name (a name too long for the zone falls back on its parent), and no alias
    /// of it leads into a zone we serve.
    private static func standsAlone(
        _ nodes: [DNSName: ZoneData.Node], root: DNSName, zone: DNSName, apexes: Set<DNSName>
    ) -> Bool {
        guard nodes[root] != nil, root.labelCount == zone.labelCount + 3 else { return false }
        for name in nodes.keys where name != root && name.isSubdomain(of: root) {
            var parent = name.parent
            while let above = parent, above != root {
                guard nodes[above] != nil else { return false }
                parent = above.parent
            }
        }
        for (name, node) in nodes where name.isSubdomain(of: root) {
            for record in node.records where record.type == RecordType.cname {
                guard let target = record.data.target else { continue }
                if apexes.contains(where: { target.isSubdomain(of: $0) }) { return false }
            }
        }
        return true
    }
}

/// Services' own names (see ``ServicePart``) found from the objects, for the rare answer that
/// reads another service's names: a CNAME chain through our data, followed when it is compiled.
struct ServiceNames: Sendable {
    let index: ClusterIndex
    let configuration: ZoneConfiguration
    /// `svc.<zone>`, and how many labels it has.
    private let services: DNSName
    private let servicesLabels: Int

    init(index: ClusterIndex, configuration: ZoneConfiguration) {
        self.index = index
        self.configuration = configuration
        services = (try? configuration.zone.prepending("svc")) ?? configuration.zone
        servicesLabels = services.labelCount
    }

    /// The records of `name` when it is a service's own name.
    func node(_ name: DNSName) -> ZoneModel.Node? {
        guard name.isSubdomain(of: services) else { return nil }
        let labels = name.labels
        let below = labels.count - servicesLabels
        guard below >= 2 else { return nil }
        let key = String(decoding: labels[below - 1], as: UTF8.self) + "/" + String(decoding: labels[below - 2], as: UTF8.self)
        guard let service = index.services[key] else { return nil }
        let part = ServicePart(configuration, service, slices: index.slices(ofService: key), apexes: [])
        guard part.standsAlone, name.isSubdomain(of: part.root) else { return nil }
        return part.data.nodes[name].map(ZoneModel.Node.init)
    }
}
