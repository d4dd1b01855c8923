import Testing

/// How dig reaches the server.
enum Transport: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case udp, tcp

    var digOptions: [String] { self == .tcp ? ["+tcp"] : [] }
    var testDescription: String { rawValue.uppercased() }
}

struct DigError: Error, CustomStringConvertible {
    var description: String
}

/// The real `dig` (bind9-dnsutils) against a server on 127.0.0.1.
enum Dig {
    /// Asks `name` `type` at 127.0.0.1:`port` and parses the reply. `options` go last, so they
    /// can override the defaults (one try, 2 s: a lost answer fails the test instead of hiding).
    ///
    /// dig sets SO_REUSEPORT on its socket and binds port 0: the kernel may give it the port
    /// our server's sockets hold (same user, both reusing), and dig's socket, connected to that
    /// same address, then gets its own query back ("query response not set": no QR bit, rcode
    /// 0, no answers). Such a message is no reply of ours (every one has QR): dig asks again,
    /// from another port. Before this, a name "answered NOERROR without records" and right at
    /// once failed the kill -9 test 4 times in CI and 3 times in some 500 runs of it here.
    static func query(
        _ name: String, _ type: String = "A", port: Int, _ options: [String] = []
    ) async throws -> DigReply {
        var attempt = 1
        while true {
            let output = try await run([name, type] + options, port: port)
            guard let reply = DigReply(digOutput: output.stdout) else {
                throw DigError(description: "dig \(name) \(type) \(options) got no reply (status \(output.status)):\n"
                    + output.stdout + output.stderr)
            }
            if reply.flags.contains("qr") || attempt == 3 { return reply }
            attempt += 1
        }
    }

    /// `dig -x ADDRESS`: the PTR query for an IP address, as a person types it.
    static func reverse(_ address: String, port: Int) async throws -> DigReply {
        try await query("-x", address, port: port)
    }

    /// dig's raw output, for cases where the text itself is asserted (e.g. "Transfer failed").
    static func run(_ arguments: [String], port: Int) async throws -> CommandOutput {
        try await Command.run(
            "dig", ["@127.0.0.1", "-p", "\(port)", "+tries=1", "+time=2"] + arguments, timeout: 20)
    }
}
