import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Exit status and output of a finished subprocess.
struct CommandOutput: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String

    /// The non-empty lines of stderr.
    var stderrLines: [Substring] {
        stderr.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }
}

enum CommandError: Error, CustomStringConvertible {
    case notFound(tool: String, hint: String)
    case timedOut(command: String, seconds: Double)

    var description: String {
        switch self {
        case .notFound(let tool, let hint): "\(tool) not found in PATH (\(hint))"
        case .timedOut(let command, let seconds): "\(command) did not finish within \(seconds) s (killed)"
        }
    }
}

/// Runs the tools the tests drive (dig, nslookup, clusterdns) as subprocesses.
enum Command {
    /// Runs `tool` (a path, or a name looked up in PATH) and waits at most `timeout` seconds;
    /// a subprocess still running then is killed by its PID and the call throws.
    static func run(_ tool: String, _ arguments: [String], timeout: Double = 30) async throws -> CommandOutput {
        let executable = try locate(tool)
        return try await offCooperativePool {
            let scratch = try TemporaryDirectory(prefix: "cmd")
            defer { scratch.remove() }
            let outPath = scratch.path + "/stdout", errPath = scratch.path + "/stderr"
            // Files, not pipes: a chatty child can never block on a full pipe we are not reading.
            let out = try FileHandle.create(outPath), err = try FileHandle.create(errPath)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            process.standardOutput = out
            process.standardError = err
            process.standardInput = FileHandle.nullDevice
            let exited = DispatchSemaphore(value: 0)
            process.terminationHandler = { _ in exited.signal() }
            try process.run()
            if exited.wait(timeout: .now() + timeout) == .timedOut {
                kill(process.processIdentifier, SIGKILL)
                exited.wait()
                throw CommandError.timedOut(command: ([tool] + arguments).joined(separator: " "), seconds: timeout)
            }
            try out.close()
            try err.close()
            return CommandOutput(
                status: process.terminationStatus,
                stdout: try String(contentsOfFile: outPath, encoding: .utf8),
                stderr: try String(contentsOfFile: errPath, encoding: .utf8))
        }
    }

    /// The absolute path of `tool`: itself when it contains a slash, else the first match in PATH.
    static func locate(_ tool: String) throws -> String {
        if tool.contains("/") { return tool }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw CommandError.notFound(tool: tool, hint: "apt-get install bind9-dnsutils for dig and nslookup")
    }
}

/// Runs blocking work (waiting for a process, a socket receive) on a Dispatch thread, so the
/// cooperative pool of 2 threads on this machine stays free for the other tests.
func offCooperativePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try work() })
        }
    }
}

extension FileHandle {
    /// A new, empty file opened for writing.
    static func create(_ path: String) throws -> FileHandle {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        return try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    }
}
