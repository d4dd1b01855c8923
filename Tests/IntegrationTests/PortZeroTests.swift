import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `--dns HOST:0` must take a port no other socket holds. Sockets of one user that all set
/// SO_REUSEPORT may share a port, and a bind to port 0 with it set counts such a port as free:
/// the server could join another process's group and lose some of its queries to it (for the
/// tests, whose servers start in parallel on port 0: a query answered by another test's
/// server). In a network namespace of its own whose ephemeral range is ten ports, nine
/// of them held by SO_REUSEPORT sockets of the same user, the server must take the tenth, every
/// time: without the fix it lands on a held port 9 times in 10.
@Suite(
    "--dns with port 0", .serialized,
    .enabled(if: NetworkNamespace.unavailableReason == nil, "\(NetworkNamespace.unavailableReason ?? "")"))
struct PortZeroTests {
    static let held = 40000...40008
    static let free = 40009

    @Test func takesAPortNoOtherSocketHolds() async throws {
        let namespace = "cdns-port-\(getpid())-\(UInt16.random(in: 0...UInt16.max))"
        try await Self.ip(["netns", "add", namespace])
        defer { Self.deleteNamespace(namespace) }
        try await Self.ip(["-n", namespace, "link", "set", "lo", "up"])
        // The namespace's own ephemeral range (/proc/sys/net is per namespace), without procps.
        try await Self.ip(["netns", "exec", namespace, "sh", "-c",
                     "echo '\(Self.held.lowerBound) \(Self.free)' > /proc/sys/net/ipv4/ip_local_port_range"])

        let scratch = try TemporaryDirectory(prefix: "port0")
        defer { scratch.remove() }
        let holder = try Self.start(namespace, "/usr/bin/env", [
            "python3", "-c",
            """
            import socket, sys, time
            held = []
            for port in range(\(Self.held.lowerBound), \(Self.held.upperBound + 1)):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
                s.bind(("127.0.0.1", port))
                held.append(s)
            print("holding", flush=True)
            time.sleep(120)
            """,
        ], log: scratch.path + "/holder.log")
        // SIGKILL: python may have inherited SIGTERM ignored.
        defer {
            kill(holder.processIdentifier, SIGKILL)
            holder.waitUntilExit()
        }
        _ = try await Self.waitFor(/(holding)/, in: scratch.path + "/holder.log")

        for run in 1...3 {
            // A fixed HTTP port: an ephemeral one could take the only TCP port left for DNS.
            let server = try await ServerProcess.start(
                ["--http", "127.0.0.1:39000", "--manifests", Fixtures.seedManifests, "--zones-dir", Fixtures.zonesDirectory],
                launcher: ["ip", "netns", "exec", namespace])
            #expect(server.server.port == Self.free, "run \(run): the server took a port another socket holds")
            #expect(try await server.stop() == 0)
        }
    }

    static func ip(_ arguments: [String]) async throws {
        let output = try await Command.run("ip", arguments)
        guard output.status == 0 else {
            throw DigError(description: "ip \(arguments.joined(separator: " ")): \(output.stderr)")
        }
    }

    /// Synchronous, for a `defer`: the namespace goes even when the test fails.
    static func deleteNamespace(_ name: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: (try? Command.locate("ip")) ?? "/usr/sbin/ip")
        process.arguments = ["netns", "del", name]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try? process.run()
        process.waitUntilExit()
    }

    /// `program` in the namespace (`ip netns exec` replaces itself with it: the PID is its own).
    static func start(_ namespace: String, _ program: String, _ arguments: [String], log: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Command.locate("ip"))
        process.arguments = ["netns", "exec", namespace, program] + arguments
        let handle = try FileHandle.create(log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try handle.close()
        return process
    }

    /// The capture of `pattern` in the file, polled for 30 s.
    static func waitFor(_ pattern: Regex<(Substring, Substring)>, in path: String) async throws -> String {
        for _ in 0..<1500 {
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            if let match = text.firstMatch(of: pattern) { return String(match.1) }
            try await Task.sleep(for: .milliseconds(20))
        }
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        throw DigError(description: "\(path) never matched; it says:\n\(text)")
    }
}
