import ClusterModel
import Foundation
import Testing
@testable import Registry

@Suite("Cluster IP allocation and durable settings")
struct AllocationTests {
    static let services = "/api/v1/namespaces/default/services"

    static func service(_ name: String) -> String {
        #"{"metadata":{"name":"\#(name)"},"spec":{"ports":[{"port":80}]}}"#
    }

    @Test func releasedIPsAreNotHandedOutAgainAcrossRestarts() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("alloc-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try await TestRegistry.with(directory: directory) { registry in
            let a = try await registry.call(.POST, Self.services, Self.service("a")).json.at("spec", "clusterIP")?.string
            _ = try await registry.call(.DELETE, "\(Self.services)/a")
            let b = try await registry.call(.POST, Self.services, Self.service("b")).json.at("spec", "clusterIP")?.string
            return [a, b].compactMap { $0 }
        }
        let second = try await TestRegistry.with(directory: directory) { registry in
            #expect(try await registry.call(.GET, "\(Self.services)/b").code == 200)
            return try await registry.call(.POST, Self.services, Self.service("c")).json.at("spec", "clusterIP")?.string
        }
        let all = first + [second].compactMap { $0 }
        #expect(all.count == 3)
        #expect(Set(all).count == 3, "an IP was handed out twice: \(all)")
    }

    @Test func aFullRangeSaysSo() async throws {
        try await TestRegistry.with({ $0.serviceCIDR = CIDR(parsing: "10.100.0.0/30")! }) { registry in
            #expect(try await registry.call(.POST, Self.services, Self.service("a")).code == 201)
            #expect(try await registry.call(.POST, Self.services, Self.service("b")).code == 201)
            let full = try await registry.call(.POST, Self.services, Self.service("c"))
            #expect(full.code == 422)
            #expect(full.json["message"]?.string?.contains("the range 10.100.0.0/30 is full") == true)
        }
    }

    @Test func writesAreSyncedFully() async throws {
        try await TestRegistry.with { registry in
            let setting = try registry.server.store.synchronousSetting()
            #expect(setting == 2)  // 2 = FULL
        }
    }

    /// Every connection of the pool keeps its own page cache: small ones, or RSS creeps up by
    /// 2 MB a connection as they fill.
    @Test func everyConnectionHasASmallPageCache() async throws {
        try await TestRegistry.with { registry in
            let settings = try registry.server.store.pageCacheSettings()
            #expect(settings.writer == -RegistryStore.pageCacheKiB && settings.reader == -RegistryStore.pageCacheKiB)
        }
    }

    @Test(arguments: [("10.96.0.0/16", true), ("10.96.0.1/16", false), ("fd00::/108", true), ("10.96.0.0/33", false), ("x/8", false)])
    func cidrParsing(text: String, valid: Bool) {
        #expect((CIDR(parsing: text) != nil) == valid)
    }

    @Test func cidrAddresses() throws {
        let cidr = try #require(CIDR(parsing: "10.96.0.0/16"))
        #expect(cidr.address(at: 0).description == "10.96.0.1")
        #expect(cidr.address(at: 255).description == "10.96.1.0")
        #expect(cidr.usableCount == 65534)
        #expect(cidr.contains(IPAddress("10.96.255.254")!))
        #expect(!cidr.contains(IPAddress("10.97.0.1")!))
        let v6 = try #require(CIDR(parsing: "fd00::/120"))
        #expect(v6.address(at: 16).description == "fd00::11")
    }
}
