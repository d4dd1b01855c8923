import ClusterModel
import Registry
import Testing

@Suite("Bearer token for writes, body size limit")
struct SecurityAndLimitTests {
    @Test func writesNeedTheTokenReadsDoNot() async throws {
        try await TestRegistry.with({ $0.token = "s3cret" }) { registry in
            let body = #"{"metadata":{"name":"web"},"spec":{"ports":[{"port":80}]}}"#
            let path = "/api/v1/namespaces/default/services"
            let anonymous = try await registry.call(.POST, path, body)
            #expect(anonymous.code == 401)
            #expect(anonymous.json["reason"] == "Unauthorized")
            let wrong = try await registry.call(.POST, path, body, token: "guess")
            #expect(wrong.code == 401)
            #expect(try await registry.call(.POST, path, body, token: "s3cret").code == 201)
            #expect(try await registry.call(.GET, path).code == 200)
            #expect(try await registry.call(.DELETE, "\(path)/web").code == 401)
            #expect(try await registry.call(.DELETE, "\(path)/web", token: "s3cret").code == 200)
        }
    }

    @Test func oversizedBodiesAreRefused() async throws {
        try await TestRegistry.with({ $0.maxBodyBytes = 1024 }) { registry in
            let padding = String(repeating: "x", count: 2000)
            let answer = try await registry.call(
                .POST, "/api/v1/namespaces/default/services",
                #"{"metadata":{"name":"web","annotations":{"pad":"\#(padding)"}},"spec":{"ports":[{"port":80}]}}"#)
            #expect(answer.code == 413)
            #expect(answer.json["message"]?.string?.contains("1024 bytes") == true)
            #expect(try await registry.call(.GET, "/api/v1/namespaces/default/services/web").code == 404)
        }
    }

    @Test func aDataDirectoryServesOneRegistryAtATime() async throws {
        try await TestRegistry.with { registry in
            var second = RegistryConfiguration(port: 0, dataDirectory: registry.directory)
            second.host = "127.0.0.1"
            await #expect(throws: RegistryConfigurationError.self) {
                _ = try await RegistryServer(configuration: second)
            }
        }
    }

    @Test func nonLoopbackWithoutTokenIsRefused() throws {
        var configuration = RegistryConfiguration(dataDirectory: "/tmp/unused")
        try configuration.setAddress("0.0.0.0:8053")
        #expect(throws: RegistryConfigurationError.self) { try configuration.validate() }
        configuration.token = "t"
        try configuration.validate()
        try configuration.setAddress("[::1]:9000")
        #expect(configuration.host == "::1" && configuration.port == 9000)
        #expect(throws: RegistryConfigurationError.self) { try configuration.setAddress("localhost") }
    }
}
