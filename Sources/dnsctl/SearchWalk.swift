import DNSWire

/// Asks the server each name of a pod's search path in turn and stops where glibc would: at
/// the first NOERROR answer with records. NODATA and NXDOMAIN (and SERVFAIL) go on to the
/// next name.
struct SearchWalk {
    let path: SearchPath
    let probe: DNSProbe

    struct Step {
        var number: Int
        var name: String
        var reply: DecodedMessage

        var line: String {
            var text = "try \(number): \(name) → \(SearchWalk.rcodeName(reply.rcode))"
            if reply.rcode == 0 && reply.answer.isEmpty { text += " (no records of this type)" }
            return ([text] + reply.answer.map { "    \($0)" }).joined(separator: "\n")
        }
    }

    struct Outcome {
        var found: Bool
        var steps: [Step]

        var summary: String {
            guard found, let last = steps.last else {
                let nodata = steps.contains { $0.reply.rcode == 0 }
                return "result: not found after \(steps.count) queries (\(nodata ? "NODATA" : "NXDOMAIN"))"
            }
            return "result: \(last.name) after \(steps.count) \(steps.count == 1 ? "query" : "queries")"
        }
    }

    func resolve(_ name: String, type: UInt16, onStep: (Step) -> Void) throws -> Outcome {
        var steps: [Step] = []
        for candidate in path.candidates(for: name) {
            let step = Step(number: steps.count + 1, name: candidate, reply: try probe.ask(candidate, type: type))
            steps.append(step)
            onStep(step)
            if step.reply.rcode == 0 && !step.reply.answer.isEmpty { return Outcome(found: true, steps: steps) }
        }
        return Outcome(found: false, steps: steps)
    }

    static func rcodeName(_ rcode: Int) -> String {
        ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"].indices.contains(rcode)
            ? ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"][rcode] : "RCODE \(rcode)"
    }
}
