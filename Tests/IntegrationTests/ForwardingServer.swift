import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The built `clusterdns` binary, started by a test on 127.0.0.1 and stopped by its PID.
final class ForwardingServer {
    let process: Process
    let logPath: String
    private(set) var port = 0

    /// The `clusterdns` next to the test bundle (SwiftPM builds both into one directory).
    static var binary: URL {
        let bundle = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = bundle.deletingLastPathComponent()
        // Inside `X.xctest/` on some layouts: step out of the bundle.
        while directory.pathExtension == "xctest" || directory.lastPathComponent == "MacOS" {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("clusterdns")
    }

    /// An empty zones directory, so only forwarding and the cluster zone are in play.
    static let emptyZones = Fixtures.packageRoot + "/Tests/IntegrationTests/EmptyCluster"

    /// An empty manifest directory: a fixed, empty cluster instead of the embedded registry
    /// (whose default API port parallel tests would fight over).
    static let emptyManifest = emptyZones

    /// Starts `clusterdns` with `arguments` (after a 127.0.0.1:0 listener, one thread and an
    /// empty zones directory) and waits until its log says it serves.
    init(
        _ arguments: [String], environment: [String: String] = [:], manifests: String = ForwardingServer.emptyManifest,
        dns: String = "127.0.0.1:0"
    ) throws {
        let host = String(dns.split(separator: ":").first ?? "127.0.0.1")
        logPath = NSTemporaryDirectory() + "clusterdns-\(UUID().uuidString).log"
        guard FileManager.default.createFile(atPath: logPath, contents: nil) else { throw ForwardingServerError.didNotStart("cannot create \(logPath)") }
        process = Process()
        process.executableURL = Self.binary
        process.arguments = ["--dns", dns, "--http", "127.0.0.1:0", "--lameduck", "0", "--threads", "1",
                             "--zones-dir", Self.emptyZones, "--manifests", manifests] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let port = Self.listenPort(in: log, host: host) {
                self.port = port
                return
            }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        stop()
        throw ForwardingServerError.didNotStart(log)
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// SIGTERM to our own child, then wait for it.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        // The log is only for a failing test's message; a leftover temp file harms nothing.
        try? FileManager.default.removeItem(atPath: logPath)
    }

    static func listenPort(in log: String, host: String = "127.0.0.1") -> Int? {
        guard let range = log.range(of: "dns.listen=\(host):") else { return nil }
        let digits = log[range.upperBound...].prefix { $0.isNumber }
        return Int(digits)
    }

    /// Runs `clusterdns` to its exit (for start-up refusals): exit status and stderr.
    static func runToExit(_ arguments: [String], timeout: TimeInterval = 20) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

enum ForwardingServerError: Error, CustomStringConvertible {
    case didNotStart(String)

    var description: String {
        switch self {
        case .didNotStart(let log): return "clusterdns did not start; its log:\n\(log)"
        }
    }
}

extension ForwardingServer {
    /// A free port on 127.0.0.1 right now (for flags that need a fixed port); nil if the
    /// kernel would not give one.
    static func freePort() -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard bound == 0, named == 0 else { return nil }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
