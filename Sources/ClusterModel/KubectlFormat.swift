import Foundation

/// How `kubectl get` shows service and time fields, shared by the registry's server-side tables
/// and dnsctl's own tables so both look the same.
public enum KubectlFormat {
    /// `80/TCP,443:30443/TCP`, `<none>` without ports.
    public static func ports(_ ports: [ServicePort]) -> String {
        guard !ports.isEmpty else { return "<none>" }
        return ports.map { port in
            let node = port.nodePort.map { ":\($0)" } ?? ""
            return "\(port.port)\(node)/\(port.protocol ?? "TCP")"
        }.joined(separator: ",")
    }

    /// The CLUSTER-IP column: the IP, `None` for headless, `<none>` for ExternalName.
    public static func clusterIP(_ service: Service) -> String {
        if service.spec.type == "ExternalName" { return "<none>" }
        guard let ip = service.spec.clusterIP, !ip.isEmpty else { return "<none>" }
        return ip
    }

    /// The EXTERNAL-IP column: the external name, `<pending>` for a LoadBalancer, else `<none>`.
    public static func externalIP(_ service: Service) -> String {
        switch service.spec.type {
        case "ExternalName": return service.spec.externalName ?? "<none>"
        case "LoadBalancer": return "<pending>"
        default: return "<none>"
        }
    }

    /// `app=web,tier=front`, `<none>` when empty.
    public static func selector(_ selector: [String: String]?) -> String {
        let pairs = (selector ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return pairs.isEmpty ? "<none>" : pairs.joined(separator: ",")
    }

    /// `45s`, `12m`, `5h`, `3d` since `creationTimestamp`; `<unknown>` without a parsable one.
    public static func age(_ creationTimestamp: String?, now: Date) -> String {
        guard let text = creationTimestamp, let created = try? Date(text, strategy: .iso8601) else {
            return "<unknown>"
        }
        let seconds = max(0, Int(now.timeIntervalSince(created)))
        switch seconds {
        case ..<120: return "\(seconds)s"
        case ..<7200: return "\(seconds / 60)m"
        case ..<172_800: return "\(seconds / 3600)h"
        default: return "\(seconds / 86400)d"
        }
    }
}
