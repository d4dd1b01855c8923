import ClusterModel
import Foundation
import NIOCore

extension HostPort {
    /// An upstream as `--upstream` spells it: `IP`, `IP:PORT`, `[IPv6]:PORT` or a bare IPv6
    /// address; port 53 when none is given. Only IP addresses: resolving an upstream's name
    /// would need the upstream.
    public static func upstream(_ text: String) -> HostPort? {
        let candidate: HostPort
        if let parsed = HostPort(text), !parsed.host.contains(":") || text.hasPrefix("[") {
            candidate = parsed
        } else {
            let host = text.hasPrefix("[") && text.hasSuffix("]") ? String(text.dropFirst().dropLast()) : text
            candidate = HostPort(host: host, port: 53)
        }
        guard candidate.port > 0, (try? candidate.socketAddress()) != nil else { return nil }
        return candidate
    }

    /// The address to send to; throws when the host is not an IP literal.
    func socketAddress() throws -> SocketAddress {
        try SocketAddress(ipAddress: host, port: port)
    }
}

/// The `nameserver` lines of a resolv.conf file (resolv.conf(5)).
public enum ResolvConf {
    /// The nameservers of the file at `path`, port 53, in file order. Entries that are not IP
    /// addresses are returned in `skipped` so the caller can say so.
    public static func nameservers(path: String = "/etc/resolv.conf") throws -> (upstreams: [HostPort], skipped: [String]) {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return parse(text)
    }

    static func parse(_ text: String) -> (upstreams: [HostPort], skipped: [String]) {
        var upstreams: [HostPort] = []
        var skipped: [String] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, fields[0] == "nameserver" else { continue }
            let address = String(fields[1])
            if (try? SocketAddress(ipAddress: address, port: 53)) != nil {
                upstreams.append(HostPort(host: address, port: 53))
            } else {
                skipped.append(address)
            }
        }
        return (upstreams, skipped)
    }
}
