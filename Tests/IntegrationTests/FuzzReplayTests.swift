import Foundation
import Testing

/// Every input in Tests/FuzzSeeds (the fuzzer's seeds and any crash it ever found) goes
/// through the packet path again, in the ordinary build of the fuzz target.
@Suite("fuzz corpus replay")
struct FuzzReplayTests {
    @Test func everySeedGoesThroughThePacketPath() async throws {
        let binary = URL(fileURLWithPath: try ServerProcess.binaryPath()).deletingLastPathComponent()
            .appendingPathComponent("clusterdns-fuzz").path
        let seeds = Fixtures.packageRoot + "/Tests/FuzzSeeds"
        let count = try FileManager.default.contentsOfDirectory(atPath: seeds).count
        #expect(count >= 8)
        let output = try await Command.run(binary, [seeds], timeout: 60)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("replayed \(count) inputs"), "\(output.stdout)")
    }
}
