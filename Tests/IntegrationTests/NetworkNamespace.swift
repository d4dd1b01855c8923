import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A test host: a network namespace of its own with a veth pair to the root namespace
/// (host side 198.18.0.1/30, pod side 198.18.0.2/30) and its own
/// `/etc/netns/<name>/resolv.conf`, which `ip netns exec` bind-mounts over `/etc/resolv.conf`:
/// exactly what a container sees. Everything is removed by ``remove()``, also after a failure.
final class NetworkNamespace: Sendable {
    static let hostAddress = "198.18.0.1"
    static let podAddress = "198.18.0.2"

    let name: String
    let hostVeth: String
    let podVeth: String

    /// Why this machine cannot make namespaces (not root, no `ip`, no netns support); nil when it can.
    static let unavailableReason: String? = {
        guard geteuid() == 0 else { return "needs root to create network namespaces" }
        guard (try? Command.locate("ip")) != nil else { return "needs ip (iproute2)" }
        let probe = "cdns-probe-\(getpid())"
        guard run(["netns", "add", probe]) == nil else { return "ip netns add is not permitted here" }
        _ = run(["netns", "del", probe])
        return nil
    }()

    /// Creates the namespace, the veth pair with both addresses, and the resolv.conf.
    init(resolvConf: String) throws {
        let tag = String(UInt32.random(in: 0..<0xFFFF_FFFF), radix: 16)
        name = "cdns-ap-\(getpid())-\(tag)"
        hostVeth = "cdh\(tag)"
        podVeth = "cdp\(tag)"
        // Another test host with these addresses would take our traffic: refuse to guess.
        if let taken = Self.output(["-o", "addr", "show", "to", Self.hostAddress]), !taken.isEmpty {
            throw NetworkNamespaceError.step("\(Self.hostAddress) is already on an interface: \(taken)")
        }
        let steps: [[String]] = [
            ["netns", "add", name],
            ["link", "add", hostVeth, "type", "veth", "peer", "name", podVeth],
            ["link", "set", podVeth, "netns", name],
            ["addr", "add", "\(Self.hostAddress)/30", "dev", hostVeth],
            ["link", "set", hostVeth, "up"],
            ["-n", name, "addr", "add", "\(Self.podAddress)/30", "dev", podVeth],
            ["-n", name, "link", "set", podVeth, "up"],
            ["-n", name, "link", "set", "lo", "up"],
        ]
        do {
            for step in steps {
                if let failure = Self.run(step) { throw NetworkNamespaceError.step(failure) }
            }
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try resolvConf.write(toFile: directory + "/resolv.conf", atomically: true, encoding: .utf8)
        } catch {
            remove()
            throw error
        }
    }

    private var directory: String { "/etc/netns/\(name)" }

    /// Deletes the namespace (and with it the pod side of the pair), the host side if it is
    /// still there, and the resolv.conf directory. Returns what could not be removed.
    @discardableResult
    func remove() -> [String] {
        var failures: [String] = []
        if let failure = Self.run(["netns", "del", name]) { failures.append(failure) }
        // Deleting the namespace deletes the pair; a host side left over means it never moved.
        // The kernel removes the host side shortly after the namespace: gone by then is fine.
        if Self.output(["link", "show", hostVeth]) != nil, let failure = Self.run(["link", "del", hostVeth]),
            Self.output(["link", "show", hostVeth]) != nil
        {
            failures.append(failure)
        }
        if FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.removeItem(atPath: directory)
            } catch {
                failures.append("rm \(directory): \(error)")
            }
        }
        return failures
    }

    /// Runs `command` inside the namespace.
    func exec(_ command: [String], timeout: Double = 20) async throws -> CommandOutput {
        try await Command.run("ip", ["netns", "exec", name] + command, timeout: timeout)
    }

    /// UDP datagrams sent from inside the namespace so far (its own `/proc/net/snmp`): every
    /// one of them is a query to the server, the namespace's only peer.
    func udpDatagramsSent() async throws -> Int {
        let snmp = try await exec(["cat", "/proc/net/snmp"]).stdout
        let lines = snmp.split(separator: "\n").filter { $0.hasPrefix("Udp:") }
        guard lines.count == 2 else { throw NetworkNamespaceError.step("no Udp lines in /proc/net/snmp: \(snmp)") }
        let names = lines[0].split(separator: " "), values = lines[1].split(separator: " ")
        guard let index = names.firstIndex(of: "OutDatagrams"), let value = Int(values[index]) else {
            throw NetworkNamespaceError.step("no OutDatagrams in /proc/net/snmp: \(snmp)")
        }
        return value
    }

    /// `ip ARGUMENTS`: nil on success, else the command and its stderr.
    private static func run(_ arguments: [String]) -> String? {
        let (status, _, stderr) = launch(arguments)
        return status == 0 ? nil : "ip \(arguments.joined(separator: " ")): \(stderr)"
    }

    /// `ip ARGUMENTS`'s stdout, nil when it failed.
    private static func output(_ arguments: [String]) -> String? {
        let (status, stdout, _) = launch(arguments)
        return status == 0 ? stdout.trimmingCharacters(in: .whitespacesAndNewlines) : nil
    }

    private static func launch(_ arguments: [String]) -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: (try? Command.locate("ip")) ?? "/usr/sbin/ip")
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return (-1, "", "\(error)")
        }
        // ip prints a line or two: the pipes cannot fill up before it exits.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }
}

enum NetworkNamespaceError: Error, CustomStringConvertible {
    case step(String)

    var description: String {
        switch self {
        case .step(let message): "test host setup: \(message)"
        }
    }
}
