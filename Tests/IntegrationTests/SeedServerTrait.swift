import Testing

/// One clusterdns serving the seed cluster and the shipped zones for a whole suite: started
/// before its first test, stopped after its last. Tests read it from `SeedServerTrait.current`.
struct SeedServerTrait: SuiteTrait, TestScoping {
    @TaskLocal static var current: RunningServer?

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await withServer(seedArguments) { server in
            try await Self.$current.withValue(server) { try await function() }
        }
    }

    /// The suite's server; a test outside a `.seedServer` suite fails here, not with a confusing port.
    static func server() throws -> RunningServer {
        try #require(current, "the suite needs the .seedServer trait")
    }
}

extension Trait where Self == SeedServerTrait {
    static var seedServer: Self { Self() }
}
