import ClusterModel
import Foundation
import Testing

@Suite("Reading JSON as JSONDecoder does")
struct JSONReaderTests {
    struct Port: Decodable, Equatable {
        var port: Int
        var name: String?
    }

    /// `{"port": ..., "name": ...}` by the reader, as ``Port`` is by JSONDecoder.
    static func port(_ json: String) throws -> Port {
        try JSONReader.read(Data(json.utf8)) { reader in
            var (port, name, seen): (Int?, String?, SeenKeys) = (nil, nil, SeenKeys())
            try reader.object { reader, key in
                switch key {
                case "port" where seen.first(0): port = try reader.int()
                case "name" where seen.first(1): name = try reader.nullableString()
                default: try reader.skip()
                }
            }
            guard let port else { throw reader.missing("port") }
            return Port(port: port, name: name)
        }
    }

    @Test(arguments: [
        #"{"port": 80, "name": "a", "name": "b"}"#, #"{"port": 80, "port": 81}"#, #"{"port": 80.0}"#,
        #"{"port": 1e2}"#, #"{"port": 1E+2}"#, #"{"port": -0}"#, #"{"port": 9223372036854775807}"#,
        #"{"port": -9223372036854775808}"#, #"{"port": 1, "name": "\ud83d\ude00 \u00e9\"\\\/\b\f\n\r\t"}"#,
        #"{"p\u006frt": 1, "name": "\u0041"}"#, #"{"port": 1,}"#, #"{"port": 1, "x": [1,], "y": {"a": [],}}"#,
        #"{"port": 1, "x": 01, "y": -, "z": 1.}"#, #"{"port": 1, "x": "\x"}"#, #"{"port": 1, "name": null}"#,
        "\u{feff}{\"port\": 1}", " {\"port\": 1}\n ", #"{"port": 1, "name": "é"}"#,
        #"{"name": "x", "x": {"y": [true, false, null, 1.5e-3, "s"]}, "port": 2}"#,
    ])
    func readsWhatJSONDecoderReads(_ json: String) throws {
        let expected = try JSONDecoder().decode(Port.self, from: Data(json.utf8))
        #expect(try Self.port(json) == expected)
    }

    @Test(arguments: [
        #"{"port": 8e-1}"#, #"{"port": 080}"#, #"{"port": 99999999999999999999}"#, #"{"port": 1.5}"#,
        #"{"port": true}"#, #"{"port": "1"}"#, #"{"port": null}"#, #"{"name": "a"}"#, #"{"port": 1} x"#,
        #"{"port": 1, "name": "\ud800"}"#, #"{"port": 1, "name": "\udc00"}"#, "{\"port\": 1, \"name\": \"a\tb\"}",
        #"{"port": 1, "x": nul}"#, #"{"port": 1, "x": .5}"#, #"{"port": 1, "x": +1}"#, #"{"port": 1"#,
        #"{"port": 1, "name": "a}"#, #"{"port": 1, "name": "\u00G1"}"#, #"{"port": 1, "name": "\q"}"#,
        #"{,"port": 1}"#, #"{"port": 1,, "x": 2}"#, #"{"port" 1}"#, #"{port: 1}"#, "{\"port\":\u{a0}1}",
        #"[{"port": 1}]"#, "", "  ",
    ])
    func refusesWhatJSONDecoderRefuses(_ json: String) {
        #expect(throws: (any Error).self) { try JSONDecoder().decode(Port.self, from: Data(json.utf8)) }
        #expect(throws: JSONReader.Failure.self) { try Self.port(json) }
    }

    @Test func invalidUTF8IsRefusedWhereReadAndLetThroughWhereSkipped() throws {
        func json(_ key: String) -> Data {
            var data = Data(#"{"port": 1, ""#.utf8) + Data(key.utf8) + Data(#"": "a"#.utf8)
            data.append(0xFF)
            data.append(contentsOf: Array(#""}"#.utf8))
            return data
        }
        #expect(throws: (any Error).self) { try JSONDecoder().decode(Port.self, from: json("name")) }
        #expect(throws: JSONReader.Failure.self) {
            try JSONReader.read(json("name")) { reader in try reader.object { reader, _ in _ = try reader.nullableString() } }
        }
        #expect(try JSONDecoder().decode(Port.self, from: json("x")) == Port(port: 1))
        try JSONReader.read(json("x")) { reader in try reader.skip() }
    }

    @Test func nestingStopsWhereJSONDecoderStops() throws {
        func nested(_ depth: Int) -> String {
            #"{"port": 1, "x": "# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
        }
        #expect(try Self.port(nested(511)) == JSONDecoder().decode(Port.self, from: Data(nested(511).utf8)))
        #expect(throws: (any Error).self) { try JSONDecoder().decode(Port.self, from: Data(nested(600).utf8)) }
        #expect(throws: JSONReader.Failure.self) { try Self.port(nested(600)) }
    }
}
