import ArgumentParser
import DNSWire
import Foundation

/// `dnsctl resolve NAME -n NS`: the search-path walk of a pod in NS, step by step, against the
/// DNS server, so a user sees why a short name resolves from one namespace and not another.
struct Resolve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Resolve a name the way a pod in a namespace would, showing every try.",
        discussion: """
            Walks the pod search list '<ns>.svc.<zone> svc.<zone> <zone>' with ndots:5 like glibc \
            (names with 5 or more dots are tried as they are first, others last) and prints each \
            query with its answer. dnsctl is not a pod, so the server's autopath does not shorten \
            the walk here: every try a pod's resolver would make is shown.
            """)

    @Argument(help: "The name as a program in the pod would look it up, e.g. payment-service.prod-env.")
    var name: String

    @Option(name: [.short, .customLong("namespace")], help: "The pod's namespace.")
    var namespace = "default"

    @Option(name: [.short, .customLong("type")], help: "Record type: A, AAAA, SRV, TXT, CNAME, PTR, MX, NS, SOA, ANY or a number.")
    var type = "A"

    @Option(help: "The DNS server, IPv4:PORT (env DNSCTL_DNS; default 127.0.0.1:53).")
    var dns: String?

    @Option(help: "The cluster domain.")
    var zone = "cluster.local"

    static let typeNumbers: [String: UInt16] = [
        "A": RecordType.a, "AAAA": RecordType.aaaa, "SRV": RecordType.srv, "TXT": RecordType.txt,
        "CNAME": RecordType.cname, "PTR": RecordType.ptr, "MX": RecordType.mx, "NS": RecordType.ns,
        "SOA": RecordType.soa, "ANY": RecordType.any,
    ]

    var typeNumber: UInt16? { Self.typeNumbers[type.uppercased()] ?? UInt16(type) }

    var server: (host: String, port: Int)? {
        let text = dns ?? ProcessInfo.processInfo.environment["DNSCTL_DNS"] ?? "127.0.0.1:53"
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, let host = parts.first, !host.isEmpty else { return nil }
        guard parts.count == 2 else { return (String(host), 53) }
        guard let port = Int(parts[1]), (1...65535).contains(port) else { return nil }
        return (String(host), port)
    }

    func validate() throws {
        guard typeNumber != nil else { throw ValidationError("unknown record type '\(type)'") }
        guard server != nil else { throw ValidationError("--dns must be IPv4[:PORT]") }
        guard !name.isEmpty else { throw ValidationError("the name is empty") }
    }

    func run() async throws {
        guard let type = typeNumber, let server else { throw ExitCode.validationFailure }
        let walk = SearchWalk(
            path: SearchPath(namespace: namespace, zone: zone), probe: DNSProbe(host: server.host, port: server.port))
        print("pod namespace \(namespace): search \(walk.path.domains.joined(separator: " ")) (ndots:\(walk.path.ndots))")
        print("server \(server.host):\(server.port), type \(self.type.uppercased())")
        let outcome: SearchWalk.Outcome
        do {
            outcome = try walk.resolve(name, type: type) { step in print(step.line) }
        } catch {
            Terminal.error("\(error)")
            throw ExitCode.failure
        }
        print(outcome.summary)
        if !outcome.found { throw ExitCode.failure }
    }
}
