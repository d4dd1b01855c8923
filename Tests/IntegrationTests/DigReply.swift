/// One resource record as dig prints it: `owner ttl class type data...`.
struct DigRecord: Sendable, Equatable, CustomStringConvertible {
    var owner: String
    var ttl: Int
    var recordClass: String
    var type: String
    /// The RDATA as dig prints it, fields joined by one space.
    var data: String

    init?(line: Substring) {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count >= 4, let ttl = Int(fields[1]) else { return nil }
        owner = String(fields[0])
        self.ttl = ttl
        recordClass = String(fields[2])
        type = String(fields[3])
        data = fields.dropFirst(4).joined(separator: " ")
    }

    var description: String { "\(owner) \(ttl) \(recordClass) \(type) \(data)" }
}

/// The last DNS message in a dig output (after "Truncated, retrying in TCP mode" that is the
/// TCP answer), with the parts the tests assert on.
struct DigReply: Sendable, CustomStringConvertible {
    var opcode = ""
    var status = ""
    var flags: Set<String> = []
    var answer: [DigRecord] = []
    var authority: [DigRecord] = []
    var additional: [DigRecord] = []
    /// `UDP` or `TCP`, from dig's `;; SERVER: ...` line.
    var transport = ""
    /// The whole dig output, for failure messages.
    var output = ""

    var description: String { output }

    /// Parses dig's default output; nil when it holds no message header (no answer at all).
    init?(digOutput: String) {
        output = digOutput
        var section = ""
        var sawHeader = false
        for line in digOutput.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.contains("->>HEADER<<-") {
                self = DigReply(output: digOutput)
                sawHeader = true
                section = ""
                opcode = Self.value(of: "opcode:", in: line)
                status = Self.value(of: "status:", in: line)
            } else if line.hasPrefix(";; flags:") {
                let list = line.dropFirst(";; flags:".count).prefix { $0 != ";" }
                flags = Set(list.split(separator: " ").map(String.init))
            } else if line.hasPrefix(";; ") && line.hasSuffix(" SECTION:") {
                section = String(line.dropFirst(3).prefix { $0 != " " })
            } else if line.hasPrefix(";; SERVER:") {
                transport = line.contains("(TCP)") ? "TCP" : "UDP"
            } else if !line.hasPrefix(";"), let record = DigRecord(line: line) {
                switch section {
                case "ANSWER": answer.append(record)
                case "AUTHORITY": authority.append(record)
                case "ADDITIONAL": additional.append(record)
                default: break  // e.g. a record printed by +short-like modes: not part of a section
                }
            }
        }
        guard sawHeader else { return nil }
    }

    private init(output: String) {
        self.output = output
    }

    /// `"NOERROR"` from `... status: NOERROR, id: 1`.
    private static func value(of key: String, in line: Substring) -> String {
        guard let range = line.range(of: key) else { return "" }
        return String(line[range.upperBound...].drop { $0 == " " }.prefix { $0 != "," })
    }

    /// The answer records as `TYPE data`, sorted: what a table of expected answers compares.
    var answerSet: [String] {
        answer.map { "\($0.type) \($0.data)" }.sorted()
    }
}
