import Foundation
import Testing

/// The built executables live next to the test bundle (`.build/<triple>/debug`).
enum Binaries {
    static let directory: URL = {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        // `swift test` may run an .xctest bundle inside the products directory.
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("dnsctl").path) {
            url.deleteLastPathComponent()
        }
        return url
    }()

    static func path(_ name: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw HarnessError("\(name) is not built next to the tests (\(path)); run `swift build` first")
        }
        return path
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A `registry-dev` process this test started, on an ephemeral port. Ended by its own PID.
final class RegistryProcess: @unchecked Sendable {
    // @unchecked: `Process` is not Sendable; one test owns this object and uses it in sequence.
    let process: Process
    let port: Int
    let directory: String
    var server: String { "http://127.0.0.1:\(port)" }

    init(directory: String? = nil, arguments: [String] = []) throws {
        self.directory = directory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("dnsctl-test-\(UUID().uuidString)").path
        process = Process()
        process.executableURL = URL(fileURLWithPath: try Binaries.path("registry-dev"))
        process.arguments = ["--api", "127.0.0.1:0", "--data-dir", self.directory] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The launcher prints one line once it listens: "registry listening on 127.0.0.1:PORT".
        var text = ""
        while !text.contains("\n") {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { throw HarnessError("registry-dev exited before listening: \(text)") }
            text += String(decoding: data, as: UTF8.self)
        }
        guard let portText = text.split(separator: "\n").first?.split(separator: ":").last, let port = Int(portText) else {
            throw HarnessError("registry-dev printed \(text)")
        }
        self.port = port
    }

    /// SIGKILL, as a crash would: nothing gets to flush or close.
    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func stop(removeData: Bool = true) {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        if removeData {
            do {
                try FileManager.default.removeItem(atPath: directory)
            } catch {
                Issue.record("could not remove \(directory): \(error)")
            }
        }
    }
}

/// The result of one `dnsctl` run.
struct CommandResult: CustomStringConvertible {
    var status: Int32
    var stdout: String
    var stderr: String

    var description: String { "exit \(status)\nstdout:\n\(stdout)\nstderr:\n\(stderr)" }
    var lines: [String] { stdout.split(separator: "\n").map(String.init) }
}

/// Runs the built dnsctl with `arguments`, against `server` through DNSCTL_SERVER.
func dnsctl(_ arguments: [String], server: String?, token: String? = nil, stdin: String? = nil) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try Binaries.path("dnsctl"))
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["DNSCTL_SERVER"] = server
    environment["DNSCTL_TOKEN"] = token
    process.environment = environment
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    let input = Pipe()
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    let out = output.fileHandleForReading.readDataToEndOfFile()
    let err = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CommandResult(
        status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
        stderr: String(decoding: err, as: UTF8.self))
}

/// A table's rows without the AGE column (the only column that depends on the clock).
func rows(_ table: String, dropping column: String = "AGE") -> [String] {
    let lines = table.split(separator: "\n").map(String.init)
    guard let header = lines.first else { return [] }
    let names = header.split(separator: " ").map(String.init)
    guard let index = names.firstIndex(of: column) else { return lines }
    return lines.map { line in
        var cells = line.split(separator: " ").map(String.init)
        if index < cells.count { cells.remove(at: index) }
        return cells.joined(separator: " ")
    }
}

func fixture(_ name: String) throws -> String {
    guard let url = Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil) else {
        throw HarnessError("fixture \(name) is missing")
    }
    return url.path
}
