import AsyncHTTPClient
import ClusterModel
import Foundation
import NIOCore
import NIOHTTP1

/// One line of a watch stream.
public struct WatchEventLine: Decodable, Sendable {
    /// ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.
    public var type: String
    public var object: JSONValue

    /// The object's `metadata.resourceVersion` (a BOOKMARK's too).
    public var resourceVersion: String? { object["metadata"]?["resourceVersion"]?.stringValue }
}

extension RegistryClient {
    /// Watches a kind from `resourceVersion` (nil: the current objects first, as ADDED), calling
    /// `handle` for each event until the server ends the stream or `handle` returns false.
    public func watch(
        _ resource: KubeResource, namespace: String?, resourceVersion: String?, bookmarks: Bool = false,
        timeoutSeconds: Int? = nil, handle: (WatchEventLine) async throws -> Bool
    ) async throws {
        var path = resource.collectionPath(namespace: namespace) + "?watch=true"
        if let resourceVersion { path += "&resourceVersion=\(resourceVersion)" }
        if bookmarks { path += "&allowWatchBookmarks=true" }
        if let timeoutSeconds { path += "&timeoutSeconds=\(timeoutSeconds)" }
        let request = try makeRequest(.GET, path)
        let response: HTTPClientResponse
        do {
            response = try await httpClient.execute(request, timeout: .hours(24))
        } catch {
            throw RegistryClientError.unreachable(server: server, detail: Self.describe(error))
        }
        guard response.status.code == 200 else {
            let bytes = try await response.body.collect(upTo: 1024 * 1024)
            throw Self.failure(code: Int(response.status.code), data: Data(bytes.readableBytesView))
        }
        var lines = WatchLineSplitter()
        var body = response.body.makeAsyncIterator()
        while true {
            let chunk: ByteBuffer?
            do {
                chunk = try await body.next()
            } catch {
                throw RegistryClientError.disconnected(server: server, detail: Self.describe(error))
            }
            guard let chunk else { return }
            for line in lines.append(chunk.readableBytesView) {
                let event = try decode(WatchEventLine.self, line)
                if try await !handle(event) { return }
            }
        }
    }
}
