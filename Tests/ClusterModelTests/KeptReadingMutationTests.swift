import ClusterModel
import Foundation
import Testing

/// Objects bent at random, seeded: where JSONDecoder reads the whole object, the kept reading
/// must give its `dnsFields`; where the kept reading succeeds, JSONDecoder must take the text
/// as JSON. Bad input is refused, never read as something else.
@Suite("Kept readings of mutated objects")
struct KeptReadingMutationTests {
    static let pod = #"""
        {"metadata": {"name": "p", "namespace": "shop", "uid": "u", "labels": {"a": "b"}},
         "spec": {"nodeName": "n1"},
         "status": {"podIP": "10.1.2.3", "podIPs": [{"ip": "10.1.2.3"}, {"ip": "fd00::3"}], "phase": "Running"}}
        """#
    static let namespace = #"{"metadata": {"name": "shop", "labels": {"a": "b"}}, "status": {"phase": "Active"}}"#

    /// SplitMix64: the same mutations on every run.
    struct Random: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let values = [
        "null", "0", "80", "80.0", "1e2", "-1", "1.5", "99999999999999999999", "true", "false", #""""#, #""x""#,
        #""\u0041\n""#, #""\ud800""#, "[]", "{}", #"["a", null]"#, #"{"ip": "10.0.0.1"}"#, #"[{"port": 1}]"#,
    ]
    static let bytes = Array(#"{}[]",:\ 0123456789.eE+-abnlrtufx"#.utf8) + [0x09, 0x0A, 0x00, 0xC3, 0xFF]

    /// One to three edits: a byte removed, added or changed, a value swapped for another, or
    /// a key given twice.
    static func mutate(_ text: String, _ random: inout Random) -> Data {
        var data = Array(text.utf8)
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            let at = Int.random(in: 0..<data.count, using: &random)
            switch Int.random(in: 0..<5, using: &random) {
            case 0: data.remove(at: at)
            case 1: data.insert(bytes.randomElement(using: &random)!, at: at)
            case 2: data[at] = bytes.randomElement(using: &random)!
            case 3:
                // The value after a colon, up to the next comma or closing bracket.
                guard let colon = data[at...].firstIndex(of: UInt8(ascii: ":")) else { continue }
                let end = data[(colon + 1)...].firstIndex { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "}") || $0 == UInt8(ascii: "]") }
                    ?? data.count
                data.replaceSubrange((colon + 1)..<end, with: Array((" " + values.randomElement(using: &random)!).utf8))
            default:
                // The key after an opening brace, given again with another value.
                guard let brace = data[at...].firstIndex(of: UInt8(ascii: "{")),
                    let colon = data[brace...].firstIndex(of: UInt8(ascii: ":"))
                else { continue }
                let key = data[(brace + 1)..<colon]
                data.insert(contentsOf: Array(key) + Array((": " + values.randomElement(using: &random)! + ", ").utf8), at: brace + 1)
            }
            if data.isEmpty { break }
        }
        return Data(data)
    }

    /// Any JSON object: JSONDecoder scans the whole text before it decodes one.
    struct AnyJSON: Decodable {}

    static func check<T: DNSFieldsDecodable & Decodable & Equatable>(
        _ type: T.Type, _ text: String, dnsFields: (T) -> T, seed: UInt64
    ) -> (wholeRead: Int, keptRead: Int) {
        var random = Random(state: seed)
        var (wholeRead, keptRead) = (0, 0)
        for _ in 0..<3000 {
            let data = mutate(text, &random)
            let whole = try? JSONDecoder().decode(T.self, from: data)
            let kept = try? JSONReader.read(data) { try T(dnsFieldsFrom: &$0) }
            if let whole {
                wholeRead += 1
                #expect(kept == dnsFields(whole), "\(String(decoding: data, as: UTF8.self))")
            }
            if kept != nil {
                keptRead += 1
                #expect(throws: Never.self, "\(String(decoding: data, as: UTF8.self))") {
                    try JSONDecoder().decode(AnyJSON.self, from: data)
                }
            }
        }
        return (wholeRead, keptRead)
    }

    enum Kind: CaseIterable { case service, slice, pod, namespace }

    @Test(arguments: Kind.allCases)
    func keptReadingsMatchJSONDecoder(_ kind: Kind) {
        let (whole, kept) = switch kind {
        case .service: Self.check(Service.self, DNSFieldsTests.service, dnsFields: \.dnsFields, seed: 1)
        case .slice: Self.check(EndpointSlice.self, DNSFieldsTests.slice, dnsFields: \.dnsFields, seed: 2)
        case .pod: Self.check(Pod.self, Self.pod, dnsFields: \.dnsFields, seed: 3)
        case .namespace: Self.check(Namespace.self, Self.namespace, dnsFields: \.dnsFields, seed: 4)
        }
        // Enough of the mutants are read for the comparison to mean something.
        #expect(whole > 150 && kept >= whole)
    }
}
