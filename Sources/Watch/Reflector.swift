import AsyncHTTPClient
import ClusterModel
import Foundation
import Logging
import NIOCore

/// List, then watch from the list's resourceVersion, for one kind: resumes after a dropped
/// stream from the last version seen, lists again on 410 Gone (and every `relistInterval` when
/// one is set), backs off with jitter.
struct Reflector<T: ClusterObject>: Sendable {
    let source: WatchSource
    let client: HTTPClient
    let store: ObjectStore
    let status: FeedStatus
    let options: FeedOptions
    let logger: Logger

    private struct Gone: Error {}

    func run() async {
        var version: String?
        var listedAt = ContinuousClock.now
        var failures = 0
        while !Task.isCancelled {
            do {
                if version == nil || options.relistInterval.map({ ContinuousClock.now - listedAt >= $0 }) == true {
                    version = try await list()
                    listedAt = .now
                    status.listed(T.resource)
                }
                try await watch(from: &version)
                failures = 0
            } catch is Gone {
                logger.info("watch history expired, listing again", metadata: ["watch.kind": "\(T.resource.kind)"])
                status.relisted()
                version = nil
            } catch {
                if Task.isCancelled { return }
                failures += 1
                status.failed("\(T.resource.rawValue): \(error)")
                logger.warning("watch failed, retrying", metadata: [
                    "watch.kind": "\(T.resource.kind)", "watch.failures": "\(failures)", "error": "\(error)",
                ])
                try? await Task.sleep(for: options.backoff(failures: failures))
            }
        }
    }

    /// Lists page by page. A source whose next page has expired (the kind changed meanwhile;
    /// 410) is listed again in one request, as client-go's pager does, rather than page by page
    /// again under the same churn.
    /// A first list's pages go to the store as they come, and are not kept here; a relist's
    /// are kept and compared with the store's at its end.
    private func list() async throws -> String? {
        let path = T.resource.collectionPath(namespace: nil)
        let first = store.startFirstList(T.self)
        var items: [T] = []
        var next: String?
        var version: String?
        repeat {
            var query = "?limit=\(options.listPageSize)"
            if let next { query += "&continue=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? next) }
            let page: ObjectListOf<T>
            do {
                page = try ObjectListOf<T>(json: try await fetch(path + query, timeout: .seconds(120)), options)
            } catch FeedError.http(let code, _) where code == 410 && next != nil {
                logger.info("list page expired, listing in one request", metadata: ["watch.kind": "\(T.resource.kind)"])
                page = try ObjectListOf<T>(json: try await fetch(path, timeout: .seconds(120)), options)
                if first {
                    _ = store.startFirstList(T.self)
                } else {
                    items.removeAll()
                }
            }
            if next == nil, let remaining = page.remaining {
                status.listing(T.resource, total: (page.items?.count ?? 0) + remaining)
            }
            if first {
                store.addFirstListPage(page.items ?? [])
            } else {
                items.append(contentsOf: page.items ?? [])
            }
            version = page.resourceVersion
            next = page.next.flatMap { $0.isEmpty ? nil : $0 }
        } while next != nil
        if first {
            store.endFirstList(T.self, version: version)
        } else {
            store.replace(items, version: version)
        }
        return version
    }

    /// Streams events until the server ends the watch; `version` follows every event.
    private func watch(from version: inout String?) async throws {
        let timeout = Int(options.watchTimeout.components.seconds)
        var path = T.resource.collectionPath(namespace: nil) + "?watch=true&allowWatchBookmarks=true&timeoutSeconds=\(timeout)"
        if let version { path += "&resourceVersion=\(version)" }
        let response = try await client.execute(request(path), timeout: .seconds(Int64(timeout) + 30))
        if response.status.code == 410 { throw Gone() }
        guard response.status.code == 200 else {
            let body = try await response.body.collect(upTo: 64 * 1024)
            throw FeedError.http(code: Int(response.status.code), body: String(buffer: body))
        }
        status.connected(true)
        defer { status.connected(false) }
        var lines = WatchLineSplitter()
        for try await chunk in response.body {
            for line in lines.append(chunk.readableBytesView) {
                try apply(line, version: &version)
            }
        }
    }

    private func apply(_ line: Data, version: inout String?) throws {
        let decoder = JSONDecoder()
        let type = try decoder.decode(EventHeader.self, from: line).type
        if type == "ERROR" {
            let status = try decoder.decode(EventOf<Status>.self, from: line).object
            if status.code == 410 { throw Gone() }
            throw FeedError.status(status)
        }
        if type == "BOOKMARK" {
            version = try decoder.decode(EventOf<Bookmark>.self, from: line).object.metadata.resourceVersion ?? version
            store.bookmark(T.resource, version: version)
            return
        }
        let object = try decoder.decode(EventOf<T>.self, from: line).object
        switch type {
        case "ADDED", "MODIFIED": store.upsert(object)
        case "DELETED": store.remove(object)
        default: throw FeedError.badEvent(type)
        }
        version = object.metadata.resourceVersion ?? version
        status.event()
    }

    private func fetch(_ path: String, timeout: TimeAmount) async throws -> Data {
        let response = try await client.execute(request(path), timeout: timeout)
        let body = try await response.body.collect(upTo: 1 << 30)
        guard response.status.code == 200 else {
            throw FeedError.http(code: Int(response.status.code), body: String(buffer: body))
        }
        return Data(body.readableBytesView)
    }

    private func request(_ path: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: source.server + path)
        request.headers.add(name: "Accept", value: "application/json")
        if let token = source.token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        return request
    }
}

public enum FeedError: Error, CustomStringConvertible {
    case http(code: Int, body: String)
    case status(Status)
    case badEvent(String)

    public var description: String {
        switch self {
        case .http(let code, let body): return "HTTP \(code): \(body.prefix(200))"
        case .status(let status): return "\(status.code) \(status.reason ?? ""): \(status.message ?? "")"
        case .badEvent(let type): return "unknown watch event type \(type)"
        }
    }
}
