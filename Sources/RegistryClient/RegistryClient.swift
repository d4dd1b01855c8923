import AsyncHTTPClient
import ClusterModel
import Foundation
import NIOCore
import NIOHTTP1

/// A client for the registry API (and, for the same paths, a Kubernetes API server): list, get,
/// create, update, delete and watch, with failures as `RegistryClientError`.
public final class RegistryClient: Sendable {
    /// The server's base URL, without a trailing slash: `http://127.0.0.1:8053`.
    public let server: String
    private let token: String?
    let httpClient: HTTPClient

    public init(server: String, token: String? = nil) {
        var base = server
        while base.hasSuffix("/") { base.removeLast() }
        self.server = base
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
        var configuration = HTTPClient.Configuration()
        // A registry on loopback answers in microseconds: a short connect timeout makes "not
        // running" a quick, clear failure instead of a long wait.
        configuration.timeout = .init(connect: .seconds(2))
        httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Closes the connections; call once when done.
    public func shutdown() async {
        do {
            try await httpClient.shutdown()
        } catch {
            // Shutting down twice or with requests in flight: nothing left to release.
            FileHandle.standardError.write(Data("dnsctl: while closing the connection: \(error)\n".utf8))
        }
    }

    /// Every object of a kind, in one namespace or (nil) in all, with the list's resourceVersion.
    public func list(_ resource: KubeResource, namespace: String?, labelSelector: String? = nil)
        async throws(RegistryClientError) -> ObjectList
    {
        var path = resource.collectionPath(namespace: namespace)
        if let labelSelector {
            path += "?labelSelector=" + (labelSelector.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        }
        return try decode(ObjectList.self, try await send(.GET, path))
    }

    public func get(_ resource: KubeResource, namespace: String?, name: String) async throws(RegistryClientError)
        -> JSONValue
    {
        try decode(JSONValue.self, try await send(.GET, resource.objectPath(namespace: namespace, name: name)))
    }

    public func create(_ resource: KubeResource, namespace: String?, object: JSONValue)
        async throws(RegistryClientError) -> JSONValue
    {
        try decode(
            JSONValue.self, try await send(.POST, resource.collectionPath(namespace: namespace), body: object))
    }

    public func update(_ resource: KubeResource, namespace: String?, name: String, object: JSONValue)
        async throws(RegistryClientError) -> JSONValue
    {
        try decode(
            JSONValue.self,
            try await send(.PUT, resource.objectPath(namespace: namespace, name: name), body: object))
    }

    @discardableResult
    public func delete(_ resource: KubeResource, namespace: String?, name: String)
        async throws(RegistryClientError) -> JSONValue
    {
        try decode(JSONValue.self, try await send(.DELETE, resource.objectPath(namespace: namespace, name: name)))
    }

    /// Sends one request and returns the body of a 2xx answer; other answers become errors.
    func send(_ method: HTTPMethod, _ path: String, body: JSONValue? = nil) async throws(RegistryClientError)
        -> Data
    {
        do {
            let request = try makeRequest(method, path, body: body)
            let response = try await httpClient.execute(request, timeout: .seconds(30))
            let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
            let data = Data(bytes.readableBytesView)
            guard (200..<300).contains(response.status.code) else {
                throw Self.failure(code: Int(response.status.code), data: data)
            }
            return data
        } catch let error as RegistryClientError {
            throw error
        } catch {
            throw .unreachable(server: server, detail: Self.describe(error))
        }
    }

    func makeRequest(_ method: HTTPMethod, _ path: String, body: JSONValue? = nil) throws(RegistryClientError)
        -> HTTPClientRequest
    {
        var request = HTTPClientRequest(url: server + path)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            let data: Data
            do {
                data = try JSONEncoder().encode(body)
            } catch {
                throw .invalidRequest("the object cannot be encoded as JSON: \(error)")
            }
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: data))
        }
        return request
    }

    /// A non-2xx answer as an error: the server's `Status` when it sent one.
    static func failure(code: Int, data: Data) -> RegistryClientError {
        // A proxy or another server may answer without a Status: then its text is the message.
        if let status = try? JSONDecoder().decode(Status.self, from: data), status.message != nil {
            return .status(status)
        }
        let text = String(decoding: data.prefix(200), as: UTF8.self)
        return .status(Status(message: "HTTP \(code): \(text)", reason: nil, code: code))
    }

    func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws(RegistryClientError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw .badResponse("cannot decode \(T.self): \(error)")
        }
    }

    static func describe(_ error: any Error) -> String {
        let text = "\(error)"
        if text.localizedCaseInsensitiveContains("refused") { return "connection refused" }
        if text.localizedCaseInsensitiveContains("timeout") { return "connection timed out" }
        return text
    }
}

/// A Kubernetes list: its items as JSON, and the version to watch from.
public struct ObjectList: Decodable, Sendable {
    public struct Metadata: Decodable, Sendable {
        public var resourceVersion: String?
    }

    public var metadata: Metadata?
    public var items: [JSONValue]

    /// The items decoded as a model type (`Service`, `EndpointSlice`...).
    public func decoded<T: Decodable>(_ type: T.Type) throws(RegistryClientError) -> [T] {
        do {
            return try items.map { try JSONDecoder().decode(T.self, from: JSONEncoder().encode($0)) }
        } catch {
            throw .badResponse("cannot decode \(T.self): \(error)")
        }
    }
}
