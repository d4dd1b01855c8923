import ClusterModel
import Foundation

/// Tables shaped like `kubectl get`: upper-case headers, columns padded with three spaces.
public enum ObjectTable {
    /// NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE (+ SELECTOR when wide; NAMESPACE first with -A).
    public static func services(_ services: [Service], allNamespaces: Bool, wide: Bool, now: Date = Date()) -> String {
        var header = ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
        if wide { header.append("SELECTOR") }
        let rows = services.map { service -> [String] in
            let spec = service.spec
            var row = [
                service.name, spec.type ?? "ClusterIP", KubectlFormat.clusterIP(service), KubectlFormat.externalIP(service),
                portList(spec.ports ?? []), age(service.metadata, now),
            ]
            if wide { row.append(KubectlFormat.selector(spec.selector)) }
            return row
        }
        return render(header, rows, namespaces: allNamespaces ? services.map(\.namespace) : nil)
    }

    /// NAME ENDPOINTS AGE per service (its slices merged), ready addresses with their first
    /// port, like `kubectl get endpoints`; wide adds NOT-READY and HOSTNAMES.
    public static func endpoints(_ slices: [EndpointSlice], allNamespaces: Bool, wide: Bool, now: Date = Date()) -> String {
        var header = ["NAME", "ENDPOINTS", "AGE"]
        if wide { header += ["NOT-READY", "HOSTNAMES"] }
        var groups: [String: [EndpointSlice]] = [:]
        for slice in slices { groups["\(slice.namespace)/\(slice.serviceName ?? slice.name)", default: []].append(slice) }
        var namespaces: [String] = []
        let rows = groups.keys.sorted().map { key -> [String] in
            let members = groups[key] ?? []
            let name = String(key.split(separator: "/", maxSplits: 1).last ?? "")
            namespaces.append(members.first?.namespace ?? "")
            var ready: [String] = []
            var notReady: [String] = []
            var hostnames: [String] = []
            for slice in members {
                let port = slice.ports?.first?.port.map { ":\($0)" } ?? ""
                for endpoint in slice.endpoints ?? [] {
                    let text = endpoint.addresses.map { ($0.contains(":") ? "[\($0)]" : $0) + port }
                    if endpoint.isReady { ready += text } else { notReady += text }
                    if let host = endpoint.hostname { hostnames.append(host) }
                }
            }
            let oldest = members.compactMap(\.metadata.creationTimestamp).min()
            var row = [name, ready.isEmpty ? "<none>" : ready.joined(separator: ","),
                       age(ObjectMeta(creationTimestamp: oldest), now)]
            if wide {
                row += [notReady.isEmpty ? "<none>" : notReady.joined(separator: ","),
                        hostnames.isEmpty ? "<none>" : hostnames.joined(separator: ",")]
            }
            return row
        }
        return render(header, rows, namespaces: allNamespaces ? namespaces : nil)
    }

    /// NAME STATUS AGE.
    public static func namespaces(_ namespaces: [Namespace], now: Date = Date()) -> String {
        render(["NAME", "STATUS", "AGE"], namespaces.map { [$0.name, "Active", age($0.metadata, now)] }, namespaces: nil)
    }

    /// `80/TCP,443:30443/TCP`.
    public static func portList(_ ports: [ServicePort]) -> String {
        KubectlFormat.ports(ports)
    }

    /// `45s`, `12m`, `5h`, `3d` since creation; `<unknown>` without a timestamp.
    public static func age(_ metadata: ObjectMeta, _ now: Date) -> String {
        KubectlFormat.age(metadata.creationTimestamp, now: now)
    }

    private static func render(_ header: [String], _ rows: [[String]], namespaces: [String]?) -> String {
        var table = [header] + rows
        if let namespaces {
            table[0].insert("NAMESPACE", at: 0)
            for index in rows.indices { table[index + 1].insert(namespaces[index], at: 0) }
        }
        var widths = [Int](repeating: 0, count: table[0].count)
        for row in table {
            for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) }
        }
        return table.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column] + 3, withPad: " ", startingAt: 0)
            }.joined()
        }.joined(separator: "\n")
    }
}
