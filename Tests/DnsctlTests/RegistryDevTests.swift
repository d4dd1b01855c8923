import Foundation
import Testing

@Suite("registry-dev flags")
struct RegistryDevTests {
    /// Runs registry-dev expecting it to refuse to start; returns its exit status and stderr.
    private func refusal(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Binaries.path("registry-dev"))
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    @Test func nonLoopbackWithoutATokenIsRefused() throws {
        let result = try refusal(["--api", "0.0.0.0:0", "--data-dir", NSTemporaryDirectory() + "/unused-\(UUID())"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("is not a loopback address: give --api-token-file"), "\(result.stderr)")
    }

    @Test func badCIDRAndAddressAreRefused() throws {
        let cidr = try refusal(["--service-cidr", "10.96.0.0/33", "--data-dir", "/tmp/unused"])
        #expect(cidr.status != 0 && cidr.stderr.contains("--service-cidr 10.96.0.0/33"), "\(cidr.stderr)")
        let address = try refusal(["--api", "localhost", "--data-dir", "/tmp/unused"])
        #expect(address.status != 0 && address.stderr.contains("expected HOST:PORT"), "\(address.stderr)")
    }

    @Test func aSecondRegistryOnTheSameDirectoryOrPortIsRefused() throws {
        let first = try RegistryProcess()
        defer { first.stop() }
        let second = try refusal(["--api", "127.0.0.1:0", "--data-dir", first.directory])
        #expect(second.status != 0)
        #expect(second.stderr.contains("is in use by another registry"), "\(second.stderr)")
        let directory = NSTemporaryDirectory() + "/port-\(UUID())"
        defer {
            do { try FileManager.default.removeItem(atPath: directory) } catch { Issue.record("cleanup: \(error)") }
        }
        let samePort = try refusal(["--api", "127.0.0.1:\(first.port)", "--data-dir", directory])
        #expect(samePort.status != 0)
        #expect(samePort.stderr.contains("--api 127.0.0.1:\(first.port): cannot listen: the address is already in use"),
                "\(samePort.stderr)")
    }
}
