import DNSWire
import Testing

@Suite("DNSName")
struct DNSNameTests {
    @Test func parsesAndLowerCases() throws {
        let name = try DNSName("Product-Service.EcoMMerce.svc.cluster.local")
        #expect(name.description == "product-service.ecommerce.svc.cluster.local.")
        #expect(name == (try DNSName("product-service.ecommerce.svc.cluster.local.")))
        #expect(name.labelCount == 5)
        #expect(name.wire.count == 45)
    }

    @Test func knowsItsAncestors() throws {
        let name = try DNSName("a.b.cluster.local")
        let zone = try DNSName("cluster.local")
        #expect(name.isSubdomain(of: zone))
        #expect(zone.isSubdomain(of: zone))
        #expect(!(try DNSName("xcluster.local")).isSubdomain(of: zone))
        #expect(name.parent == (try DNSName("b.cluster.local")))
        #expect(DNSName.root.parent == nil)
        #expect(name.suffixOffset(of: zone) == 4)
        #expect(zone.suffixOffset(of: zone) == 0)
        #expect((try DNSName("xcluster.local")).suffixOffset(of: zone) == nil)
        #expect(name.suffixOffset(of: .root) == name.wire.count - 1)
        #expect(name.lastLabel.map(Array.init) == Array("local".utf8))
        #expect(DNSName.root.lastLabel == nil)
    }

    @Test func rejectsLabelsOver63AndNamesOver255() throws {
        #expect(throws: DNSWireError.self) { try DNSName(String(repeating: "a", count: 64) + ".local") }
        let long = Array(repeating: String(repeating: "a", count: 63), count: 4).joined(separator: ".")
        #expect(throws: DNSWireError.self) { try DNSName(long) }
        #expect(throws: DNSWireError.self) { try DNSName("a..b") }
        let parent = try DNSName(Array(repeating: String(repeating: "b", count: 63), count: 3).joined(separator: "."))
        #expect(throws: DNSWireError.self) { try parent.prepending(String(repeating: "c", count: 62)) }
    }

    @Test func escapesWhatPresentationFormanNeeds() throws {
        let name = try DNSName("a\\.b.c")
        #expect(name.labelCount == 2)
        #expect(name.description == "a\\.b.c.")
    }
}
