import ClusterModel
import Foundation
import RegistryClient

/// One watch event as one human line: `ADDED service default/web 10.96.0.1 80/TCP (rv 12)`.
enum EventPrinter {
    static func print(_ event: WatchEventLine, resource: KubeResource, json: Bool) {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let data = (try? encoder.encode(["type": .string(event.type), "object": event.object] as JSONValue)) ?? Data()
            write(String(decoding: data, as: UTF8.self))
            return
        }
        let metadata = event.object["metadata"]
        let name = metadata?["name"]?.stringValue ?? "?"
        let namespace = metadata?["namespace"]?.stringValue ?? ""
        write("\(event.type) \(resource.singular) \(namespace)/\(name) \(detail(event.object, resource)) (rv \(event.resourceVersion ?? "?"))")
    }

    /// A short summary; an object that does not decode as its kind gets none (the line still
    /// names it), since a watch must go on printing.
    private static func detail(_ object: JSONValue, _ resource: KubeResource) -> String {
        let data = (try? JSONEncoder().encode(object)) ?? Data()
        switch resource {
        case .services:
            guard let service = try? JSONDecoder().decode(Service.self, from: data) else { return "" }
            let type = service.spec.type ?? "ClusterIP"
            let target = type == "ExternalName" ? (service.spec.externalName ?? "") : (service.spec.clusterIP ?? "")
            return "\(type) \(target) \(ObjectTable.portList(service.spec.ports ?? []))"
        case .endpointSlices:
            guard let slice = try? JSONDecoder().decode(EndpointSlice.self, from: data) else { return "" }
            let addresses = (slice.endpoints ?? []).flatMap { endpoint in
                endpoint.addresses.map { endpoint.isReady ? $0 : "\($0)(not ready)" }
            }
            return addresses.isEmpty ? "<none>" : addresses.joined(separator: ",")
        default:
            return ""
        }
    }

    /// Whole lines, flushed at once, so that two watch loops never interleave inside a line.
    private static func write(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
