import Testing

/// Runs `body` against a fresh clusterdns started with `arguments`, and stops it afterwards
/// whether `body` succeeded or not.
func withServer<T>(
    _ arguments: [String], _ body: (RunningServer) async throws -> T
) async throws -> T {
    let process = try await ServerProcess.start(arguments)
    let result: T
    do {
        result = try await body(process.server)
    } catch {
        await process.stopAfterFailure()
        throw error
    }
    // SIGTERM is the normal way to stop it: anything but a clean exit is a bug worth a failure.
    let status = try await process.stop()
    #expect(status == 0, "clusterdns exited with status \(status) on SIGTERM")
    return result
}

/// The seed cluster and the shipped zones, as the README runs them.
let seedArguments = ["--manifests", Fixtures.seedManifests, "--zones-dir", Fixtures.zonesDirectory]
