import ClusterModel
import Foundation
import Hummingbird
import Logging
import NIOCore

/// The registry's HTTP face: Kubernetes paths and verbs over the store. Every failure leaves
/// through `respond`, which turns it into a `Status` (see `RegistryError.status`).
struct RegistryAPI: HTTPResponder {
    typealias Context = BasicRequestContext

    let store: RegistryStore
    let configuration: RegistryConfiguration
    let logger: Logger

    func respond(to request: Request, context: Context) async throws -> Response {
        do {
            return try await route(request)
        } catch {
            let failure = RegistryError.from(error)
            if case .storage = failure {
                // A library logs at info or below; the server decides what reaches the operator.
                logger.info("registry storage failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            }
            return Self.statusResponse(failure.status)
        }
    }

    private func route(_ request: Request) async throws -> Response {
        guard let route = APIRoute(path: request.uri.path) else {
            throw RegistryError.noSuchPath(request.uri.path)
        }
        let method = request.method
        let query = request.uri.queryParameters
        if method == .post || method == .put || method == .delete || method == .patch {
            try authorize(request)
            // A dry run that wrote for real would be worse than a refusal.
            if let dryRun = query["dryRun"], !dryRun.isEmpty {
                throw RegistryError.badRequest("dryRun is not supported by this registry; the request was not applied")
            }
        }
        switch (route, method) {
        case (.discovery(let document), .get):
            return try Self.json(RegistryJSON.encode(Discovery.body(document)))
        case (.collection(let resource, let namespace), .get):
            let filter = try ObjectFilter(
                labelSelector: query["labelSelector"].map(String.init), fieldSelector: query["fieldSelector"].map(String.init))
            if let watch = query["watch"], watch == "true" || watch == "1" {
                var watch = try WatchRequest(
                    resource: resource, namespace: namespace, filter: filter,
                    query: { name in query[Substring(name)].map(String.init) }, defaultTimeout: configuration.defaultWatchTimeout)
                watch.asTable = ServerTable.isRequested(by: request.headers[.accept])
                return try watchResponse(request, watch)
            }
            let paging = try ListPaging(
                resource: resource, limit: query["limit"].map(String.init), continue: query["continue"].map(String.init))
            return try await list(
                resource, namespace, filter, paging, asTable: ServerTable.isRequested(by: request.headers[.accept]))
        case (.collection(let resource, let namespace), .post):
            let object = try await store.create(resource, namespace: namespace, body: try await body(of: request))
            logWrite("created", object)
            return Self.json(object.json, status: .created)
        case (.object(let resource, let namespace, let name), .get):
            return Self.json(try await store.get(resource, namespace: namespace, name: name).json)
        case (.object(let resource, let namespace, let name), .put):
            let object = try await store.update(
                resource, namespace: namespace, name: name, change: .replace(try await body(of: request)))
            logWrite("updated", object)
            return Self.json(object.json)
        case (.object(let resource, let namespace, let name), .patch):
            let type = request.headers[.contentType] ?? ""
            // Strategic merge patch is taken as a merge patch: lists are replaced, not merged by key.
            guard type.hasPrefix("application/merge-patch+json") || type.hasPrefix("application/strategic-merge-patch+json")
            else {
                throw RegistryError.unsupportedMediaType(type)
            }
            let object = try await store.update(
                resource, namespace: namespace, name: name, change: .mergePatch(try await body(of: request)))
            logWrite("patched", object)
            return Self.json(object.json)
        case (.object(let resource, let namespace, let name), .delete):
            let options = try await optionalBody(of: request)
            let precondition = options?["preconditions"]?["resourceVersion"]?.stringValue
            let removed = try await store.delete(resource, namespace: namespace, name: name, precondition: precondition)
            logWrite("deleted", removed)
            return Self.json(removed.json)
        default:
            throw RegistryError.methodNotAllowed(method: method.rawValue, path: request.uri.path)
        }
    }

    private func logWrite(_ action: String, _ object: StoredObject) {
        logger.debug(
            "\(action) \(object.resource.singular)",
            metadata: [
                "registry.object": "\(object.namespace)/\(object.name)",
                "registry.resourceVersion": "\(object.resourceVersion)",
            ])
    }

    private func authorize(_ request: Request) throws(RegistryError) {
        guard let token = configuration.token else { return }
        guard let header = request.headers[.authorization], header == "Bearer \(token)" else {
            throw .unauthorized
        }
    }

    private func list(
        _ resource: KubeResource, _ namespace: String?, _ filter: ObjectFilter, _ paging: ListPaging, asTable: Bool
    ) async throws -> Response {
        // No limit is the whole list, and a continue without one the rest of it, as in Kubernetes.
        // As Kubernetes, only an unfiltered list tells how many objects remain.
        let (items, resourceVersion, cursor, remaining) = try await store.list(
            resource, namespace: namespace, limit: paging.limit ?? .max, from: paging.cursor,
            counting: filter.isEverything, matching: filter.matches)
        let next = cursor.map { ListPaging.token($0, resource: resource) }
        if asTable {
            return Self.json(try ServerTable.table(resource, items, resourceVersion: resourceVersion, continue: next))
        }
        var metadata = "\"resourceVersion\":\"\(resourceVersion)\""
        // Tokens are base64: nothing in them needs escaping in a JSON string.
        if let next { metadata += ",\"continue\":\"\(next)\"" }
        if let remaining { metadata += ",\"remainingItemCount\":\(remaining)" }
        var data = Data("{\"apiVersion\":\"\(resource.apiVersion)\",\"kind\":\"\(resource.kind)List\",".utf8)
        data.append(Data("\"metadata\":{\(metadata)},\"items\":[".utf8))
        for (index, item) in items.enumerated() {
            if index > 0 { data.append(UInt8(ascii: ",")) }
            data.append(item.json)
        }
        data.append(contentsOf: Array("]}".utf8))
        return Self.json(data)
    }

    /// The request body as JSON, refusing bodies over the configured limit.
    private func body(of request: Request) async throws -> JSONValue {
        guard let value = try await optionalBody(of: request) else {
            throw RegistryError.badRequest("the request needs a JSON body")
        }
        return value
    }

    private func optionalBody(of request: Request) async throws -> JSONValue? {
        let limit = configuration.maxBodyBytes
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw RegistryError.bodyTooLarge(limit: limit)
        }
        var collected = ByteBuffer()
        do {
            for try await chunk in request.body {
                guard collected.readableBytes + chunk.readableBytes <= limit else {
                    throw RegistryError.bodyTooLarge(limit: limit)
                }
                collected.writeImmutableBuffer(chunk)
            }
        } catch let error as RegistryError {
            throw error
        } catch {
            // The client's doing (a body shorter than its Content-Length, broken chunking), not
            // the store's: a 400, never the 500 of `RegistryError.from`.
            throw RegistryError.badRequest("the request body could not be read: \(error)")
        }
        guard collected.readableBytes > 0 else { return nil }
        return try RegistryJSON.parse(Data(collected.readableBytesView))
    }

    static func json(_ data: Data, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func statusResponse(_ status: Status) -> Response {
        // A Status is strings and integers: encoding it cannot fail, and an error path must not throw.
        let data = (try? RegistryJSON.encode(status)) ?? Data("{\"kind\":\"Status\"}".utf8)
        return json(data, status: HTTPResponse.Status(code: status.code))
    }
}
