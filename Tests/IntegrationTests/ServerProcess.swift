import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What a test needs to talk to a clusterdns it started: the port and the server's stderr log.
struct RunningServer: Sendable {
    let port: Int
    let pid: Int32
    let logPath: String

    /// Everything the server has written to stderr so far.
    func log() throws -> String {
        try String(contentsOfFile: logPath, encoding: .utf8)
    }

    /// The log for a failure message (where nothing may throw): a read error becomes the text.
    var logText: String {
        do {
            return try log()
        } catch {
            return "(cannot read \(logPath): \(error))"
        }
    }
}

enum ServerProcessError: Error, CustomStringConvertible {
    case binaryNotFound(searched: [String])
    case exitedEarly(status: Int32, log: String)
    case notListening(line: String, seconds: Double, log: String)
    case noExit(pid: Int32)

    var description: String {
        switch self {
        case .binaryNotFound(let searched):
            "clusterdns binary not found (build it first: swift build); looked at \(searched)"
        case .exitedEarly(let status, let log):
            "clusterdns exited with status \(status) before serving:\n\(log)"
        case .notListening(let line, let seconds, let log):
            "clusterdns logged no '\(line)' line within \(seconds) s:\n\(log)"
        case .noExit(let pid):
            "clusterdns (pid \(pid)) did not exit after SIGKILL"
        }
    }
}

/// A `clusterdns` subprocess started by a test on 127.0.0.1:0 and stopped by its PID.
final class ServerProcess {
    let server: RunningServer
    private let process: Process
    private let exited: DispatchSemaphore
    private let scratch: TemporaryDirectory

    /// Starts the built binary with `arguments` (after `--dns 127.0.0.1:0`) and returns once its
    /// stderr names the bound port, which it logs only when it answers queries. `launcher`
    /// (`ip netns exec NAME`, say) runs it; it must exec the binary, so the PID is the server's.
    static func start(
        _ arguments: [String], launcher: [String] = [], startupTimeout: Double = 60
    ) async throws -> ServerProcess {
        let scratch = try TemporaryDirectory(prefix: "server")
        let logPath = scratch.path + "/stderr.log"
        let process = Process()
        let binary = try binaryPath()
        process.executableURL = URL(fileURLWithPath: try launcher.first.map { try Command.locate($0) } ?? binary)
        // Its own data dir and working dir: nothing a server writes lands in the repository.
        // No forwarding: names outside our zones must never reach the host's real resolvers.
        // HTTP on an ephemeral port too: parallel servers must not fight over :9153. No lame
        // duck unless a test asks for one (a later flag wins): stopping must not cost 5 s each.
        process.arguments = launcher.dropFirst() + (launcher.isEmpty ? [] : [binary]) + [
            "--dns", "127.0.0.1:0", "--http", "127.0.0.1:0", "--lameduck", "0", "--data-dir", scratch.path + "/data",
            "--upstream", "none",
        ] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: scratch.path)
        process.standardOutput = FileHandle.nullDevice
        let log = try FileHandle.create(logPath)
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        try log.close()  // the child has its own copy
        let started = ServerProcess(
            server: RunningServer(port: 0, pid: process.processIdentifier, logPath: logPath),
            process: process, exited: exited, scratch: scratch)
        do {
            let port = try await started.waitForPort(timeout: startupTimeout)
            return ServerProcess(
                server: RunningServer(port: port, pid: process.processIdentifier, logPath: logPath),
                process: process, exited: exited, scratch: scratch)
        } catch {
            await started.stopAfterFailure()
            throw error
        }
    }

    private init(server: RunningServer, process: Process, exited: DispatchSemaphore, scratch: TemporaryDirectory) {
        self.server = server
        self.process = process
        self.exited = exited
        self.scratch = scratch
    }

    /// SIGTERM, then SIGKILL after 10 s; returns the exit status. Only this PID is signalled.
    @discardableResult
    func stop() async throws -> Int32 {
        let pid = process.processIdentifier
        let semaphore = exited
        let stopped = try await offCooperativePool { () -> Bool in
            if semaphore.wait(timeout: .now()) == .success { return true }
            kill(pid, SIGTERM)
            if semaphore.wait(timeout: .now() + 10) == .success { return true }
            kill(pid, SIGKILL)
            return semaphore.wait(timeout: .now() + 10) == .success
        }
        guard stopped else { throw ServerProcessError.noExit(pid: pid) }
        exited.signal()  // keep the semaphore "exited" for a second stop()
        scratch.remove()
        return process.terminationStatus
    }

    /// Sends SIGTERM to this server (only this PID) without waiting for it to exit.
    func terminate() {
        kill(process.processIdentifier, SIGTERM)
    }

    /// Waits up to `timeout` seconds for the process to exit; its exit status, nil if it still runs.
    func waitForExit(timeout: Double) async throws -> Int32? {
        let semaphore = exited
        let done = try await offCooperativePool { semaphore.wait(timeout: .now() + timeout) == .success }
        guard done else { return nil }
        exited.signal()  // keep the semaphore "exited" for stop()
        return process.terminationStatus
    }

    /// The HTTP port from the `http.listen=127.0.0.1:PORT` log line, polled every 20 ms.
    func httpPort(timeout: Double = 30) async throws -> Int {
        try await loggedPort(/http\.listen=127\.0\.0\.1:(\d+)/, line: "http.listen=", timeout: timeout)
    }

    /// The embedded registry's API port from its `registry.port=PORT` log line, polled every
    /// 20 ms: the registry says it listens on its own, and may do so after `dns.listen=` (seen
    /// under load, when a test read the log once right after the DNS side was up).
    func registryPort(timeout: Double = 30) async throws -> Int {
        try await loggedPort(/registry\.port=(\d+)/, line: "registry.port=", timeout: timeout)
    }

    /// Polls the stderr log for `pattern`'s port (every 20 ms), failing fast when the process
    /// exits first.
    private func loggedPort(_ pattern: Regex<(Substring, Substring)>, line: String, timeout: Double) async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(timeout)
        while ContinuousClock.now < deadline {
            if let match = try server.log().firstMatch(of: pattern), let port = Int(match.1) { return port }
            if !process.isRunning {
                // Read again: the last lines may have been written between the read and the exit.
                throw ServerProcessError.exitedEarly(status: process.terminationStatus, log: try server.log())
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ServerProcessError.notListening(line: line, seconds: timeout, log: try server.log())
    }

    /// Stops the server while another error is on its way up: a failure to stop is recorded
    /// as a second issue instead of replacing the first error.
    func stopAfterFailure() async {
        do {
            try await stop()
        } catch {
            Issue.record("while handling another failure: \(error)")
        }
    }

    /// The DNS port from the `dns.listen=127.0.0.1:PORT` log line.
    private func waitForPort(timeout: Double) async throws -> Int {
        try await loggedPort(/dns\.listen=127\.0\.0\.1:(\d+)/, line: "dns.listen=", timeout: timeout)
    }

    /// The built `clusterdns`: `CLUSTERDNS_BINARY`, else next to the test bundle (same build
    /// directory, so `swift test --scratch-path X` tests X's binary), else `.build/debug`.
    static func binaryPath() throws -> String {
        // An explicit choice is never replaced by a guess: a wrong path fails loudly.
        if let explicit = ProcessInfo.processInfo.environment["CLUSTERDNS_BINARY"] {
            guard FileManager.default.isExecutableFile(atPath: explicit) else {
                throw ServerProcessError.binaryNotFound(searched: [explicit])
            }
            return explicit
        }
        var candidates: [String] = []
        let argv0 = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        candidates.append(argv0.appendingPathComponent("clusterdns").path)
        candidates.append(Bundle.main.bundleURL.appendingPathComponent("clusterdns").path)
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("clusterdns").path)
        candidates.append(Fixtures.packageRoot + "/.build/debug/clusterdns")
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw ServerProcessError.binaryNotFound(searched: candidates)
        }
        return found
    }
}
