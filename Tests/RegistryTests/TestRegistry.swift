import AsyncHTTPClient
import ClusterModel
import Foundation
import NIOCore
import Logging
import NIOHTTP1
@testable import Registry
import ServiceLifecycle

/// A real registry on an ephemeral 127.0.0.1 port with a temporary data directory, and a raw
/// HTTP client to talk to it. Each test starts its own and stops it at the end.
final class TestRegistry: Sendable {
    let port: Int
    let directory: String
    let server: RegistryServer
    private let group: ServiceGroup
    private let task: Task<Void, any Error>
    let http: HTTPClient

    var base: String { "http://127.0.0.1:\(port)" }

    /// Starts a registry; `directory` reuses a data directory (restart tests).
    static func start(
        directory: String? = nil, _ configure: (inout RegistryConfiguration) -> Void = { _ in }
    ) async throws -> TestRegistry {
        let directory = directory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("registry-test-\(UUID().uuidString)").path
        var configuration = RegistryConfiguration(port: 0, dataDirectory: directory)
        configure(&configuration)
        var logger = Logger(label: "registry-test")
        logger.logLevel = .warning
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let server = try await RegistryServer(configuration: configuration, logger: logger) { port in
            continuation.yield(port)
            continuation.finish()
        }
        let group = ServiceGroup(configuration: .init(services: [server], logger: logger))
        let task = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw TestFailure("the registry did not start listening") }
        return TestRegistry(port: port, directory: directory, server: server, group: group, task: task)
    }

    /// Runs `body` against a fresh registry and stops it afterwards, whatever happens.
    static func with<T: Sendable>(
        directory: String? = nil, _ configure: (inout RegistryConfiguration) -> Void = { _ in },
        _ body: (TestRegistry) async throws -> T
    ) async throws -> T {
        let registry = try await start(directory: directory, configure)
        let result: Result<T, any Error>
        do {
            result = .success(try await body(registry))
        } catch {
            result = .failure(error)
        }
        try await registry.stop(removeData: directory == nil)
        return try result.get()
    }

    private init(
        port: Int, directory: String, server: RegistryServer, group: ServiceGroup, task: Task<Void, any Error>
    ) {
        self.port = port
        self.directory = directory
        self.server = server
        self.group = group
        self.task = task
        http = HTTPClient.shared
    }

    /// Stops the server gracefully (open watches end) and waits for it.
    func stop(removeData: Bool = true) async throws {
        await group.triggerGracefulShutdown()
        try await task.value
        if removeData { try FileManager.default.removeItem(atPath: directory) }
    }

    /// Sends a request; returns the status code and the body parsed as JSON (`.null` if empty).
    func call(
        _ method: HTTPMethod, _ path: String, _ body: String? = nil, token: String? = nil,
        contentType: String = "application/json", accept: String? = nil
    ) async throws -> (code: Int, json: JSONValue) {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let accept { request.headers.add(name: "Accept", value: accept) }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await http.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 16 * 1024 * 1024)
        let json = bytes.readableBytes == 0
            ? JSONValue.null : try JSONDecoder().decode(JSONValue.self, from: Data(bytes.readableBytesView))
        return (Int(response.status.code), json)
    }

    /// Opens a watch and collects its lines until `count` arrived or the server ended it.
    func watch(
        _ path: String, count: Int, accept: String? = nil, whileOpen: @Sendable () async throws -> Void = {}
    ) async throws -> [JSONValue] {
        var request = HTTPClientRequest(url: base + path)
        if let accept { request.headers.add(name: "Accept", value: accept) }
        let response = try await http.execute(request, timeout: .seconds(20))
        guard response.status.code == 200 else {
            throw TestFailure("watch \(path) answered \(response.status.code)")
        }
        try await whileOpen()
        var lines: [JSONValue] = []
        var pending = Data()
        for try await chunk in response.body {
            pending.append(contentsOf: chunk.readableBytesView)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                lines.append(try JSONDecoder().decode(JSONValue.self, from: pending[pending.startIndex..<newline]))
                pending = Data(pending[pending.index(after: newline)...])
                if lines.count == count { return lines }
            }
        }
        return lines
    }

    /// The resourceVersion of the newest write.
    func resourceVersion() async throws -> Int64 { try await server.currentResourceVersion() }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension JSONValue {
    /// `value["spec"]["clusterIP"]` as a path: `value.at("spec", "clusterIP")`.
    func at(_ keys: String...) -> JSONValue? {
        var current: JSONValue? = self
        for key in keys { current = current?[key] }
        return current
    }

    var string: String? { stringValue }

    var array: [JSONValue] {
        if case .array(let items) = self { return items }
        return []
    }
}
