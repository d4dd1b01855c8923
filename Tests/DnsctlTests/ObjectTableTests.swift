import ClusterModel
import Foundation
import RegistryClient
import Testing

@Suite("kubectl-shaped table cells")
struct ObjectTableTests {
    @Test(arguments: [
        ([ServicePort(port: 80)], "80/TCP"),
        ([ServicePort(name: "dns", protocol: "UDP", port: 53), ServicePort(name: "tcp", protocol: "TCP", port: 53)], "53/UDP,53/TCP"),
        ([ServicePort(protocol: "TCP", port: 80, nodePort: 30080)], "80:30080/TCP"),
        ([], "<none>"),
    ])
    func ports(ports: [ServicePort], expected: String) {
        #expect(ObjectTable.portList(ports) == expected)
    }

    @Test(arguments: [(5, "5s"), (119, "119s"), (120, "2m"), (7199, "119m"), (7200, "2h"), (172_800, "2d")])
    func ages(seconds: Int, expected: String) {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let created = now.addingTimeInterval(-Double(seconds)).formatted(.iso8601)
        #expect(ObjectTable.age(ObjectMeta(creationTimestamp: created), now) == expected)
    }

    @Test func unknownAge() {
        #expect(ObjectTable.age(ObjectMeta(), Date()) == "<unknown>")
        #expect(ObjectTable.age(ObjectMeta(creationTimestamp: "yesterday"), Date()) == "<unknown>")
    }
}
