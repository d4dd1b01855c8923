import AsyncHTTPClient
import Foundation

/// The scripted fake API server (Fixtures/fake_apiserver.py) as a child process on 127.0.0.1.
final class FakeAPIServer {
    let process = Process()
    let port: Int

    init(scenario: String, port: Int = 0) throws {
        let script = Bundle.module.url(forResource: "fake_apiserver", withExtension: "py", subdirectory: "Fixtures")!
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, scenario, String(port)]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        // The script prints "listening PORT" once it accepts connections.
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw FakeServerError("the fake API server exited before listening") }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bound = Int(text.split(separator: " ").last ?? "") else { throw FakeServerError("unexpected output: \(text)") }
        self.port = bound
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// The requests the server saw, as (path, query) pairs.
    func requests() async throws -> [(path: String, query: [String: String])] {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url + "/debug/requests"), timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 20)
        let entries = try JSONDecoder().decode([Entry].self, from: Data(body.readableBytesView))
        return entries.map { ($0.path, $0.query) }
    }

    /// SIGKILL: the child inherits the test runner's signal mask, in which SIGTERM may be
    /// blocked, and the fake server holds nothing that needs a graceful stop.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }

    private struct Entry: Decodable {
        var path: String
        var query: [String: String]
    }
}

struct FakeServerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
