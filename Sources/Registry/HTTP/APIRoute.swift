import ClusterModel

/// What a request path names: a discovery document, a collection, or one object.
enum APIRoute: Equatable {
    case discovery(Discovery.Document)
    /// A list of one kind: across namespaces when `namespace` is nil.
    case collection(KubeResource, namespace: String?)
    case object(KubeResource, namespace: String?, name: String)

    /// Parses `/api/v1/namespaces/{ns}/services/{name}` and its relatives; nil for anything else.
    init?(path: String) {
        var segments = path.split(separator: "/").map(String.init)
        switch segments {
        case ["api"]: self = .discovery(.coreVersions); return
        case ["api", "v1"]: self = .discovery(.coreResources); return
        case ["apis"]: self = .discovery(.groups); return
        case ["apis", "discovery.k8s.io"]: self = .discovery(.discoveryGroup); return
        case ["apis", "discovery.k8s.io", "v1"]: self = .discovery(.discoveryResources); return
        case ["version"]: self = .discovery(.version); return
        case ["healthz"], ["readyz"], ["livez"]: self = .discovery(.health); return
        default: break
        }
        let group: String
        if segments.starts(with: ["api", "v1"]) {
            group = ""
            segments.removeFirst(2)
        } else if segments.starts(with: ["apis", "discovery.k8s.io", "v1"]) {
            group = "discovery.k8s.io"
            segments.removeFirst(3)
        } else {
            return nil
        }
        func resource(_ name: String) -> KubeResource? {
            guard let resource = KubeResource(rawValue: name), resource.group == group else { return nil }
            return resource
        }
        switch segments.count {
        case 1:
            guard let kind = resource(segments[0]) else { return nil }
            self = .collection(kind, namespace: nil)
        case 2 where segments[0] == "namespaces" && group.isEmpty:
            self = .object(.namespaces, namespace: nil, name: segments[1])
        case 3 where segments[0] == "namespaces":
            guard let kind = resource(segments[2]), kind.isNamespaced else { return nil }
            self = .collection(kind, namespace: segments[1])
        case 4 where segments[0] == "namespaces":
            guard let kind = resource(segments[2]), kind.isNamespaced else { return nil }
            self = .object(kind, namespace: segments[1], name: segments[3])
        default:
            return nil
        }
    }
}
