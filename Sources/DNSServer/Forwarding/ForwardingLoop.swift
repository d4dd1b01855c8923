import ClusterModel
import NIOCore

/// Detects an upstream that is this server itself: forwarding to it would send every
/// outside name round and round until the in-flight cap stops it.
enum ForwardingLoop {
    /// True when `upstream` reaches the listener at `listen`: the same address and port, or our
    /// port on an address that lands on us (loopback, a wildcard, one of this host's addresses)
    /// while we listen on a wildcard, or the other way round.
    static func isSelf(_ upstream: HostPort, listen: HostPort, localAddresses: [String]) -> Bool {
        guard upstream.port == listen.port,
            let target = try? SocketAddress(ipAddress: upstream.host, port: 0),
            let ours = try? SocketAddress(ipAddress: listen.host, port: 0)
        else { return false }
        if target == ours { return true }
        let sameFamily = target.protocol == ours.protocol
        if isWildcard(ours) { return sameFamily && (isLocal(target, localAddresses) || isWildcard(target)) }
        if isWildcard(target) { return sameFamily && isLocal(ours, localAddresses) }
        return false
    }

    /// The addresses of this host's interfaces, as text.
    static func localAddresses() -> [String] {
        // An unreadable interface list only weakens the check to loopback and wildcards.
        let devices = (try? System.enumerateDevices()) ?? []
        return devices.compactMap { $0.address?.ipAddress }
    }

    private static func isWildcard(_ address: SocketAddress) -> Bool {
        address.ipAddress == "0.0.0.0" || address.ipAddress == "::"
    }

    private static func isLocal(_ address: SocketAddress, _ locals: [String]) -> Bool {
        guard let text = address.ipAddress else { return false }
        if text.hasPrefix("127.") || text == "::1" { return true }
        return locals.contains { local in
            (try? SocketAddress(ipAddress: local, port: 0)) == address
        }
    }
}

extension ForwardingConfiguration {
    /// This configuration without upstreams that are the server listening on `listen`. Such
    /// an upstream is fatal when it came from `--upstream` (someone typed it: tell them), and
    /// dropped with a warning when it came from resolv.conf (a host whose resolver is this
    /// server must still start).
    func withoutLoops(listen: HostPort, warn: (String) -> Void) throws(ServerError) -> ForwardingConfiguration {
        let locals = ForwardingLoop.localAddresses()
        var result = self
        result.upstreams = []
        for upstream in upstreams {
            guard ForwardingLoop.isSelf(upstream, listen: listen, localAddresses: locals) else {
                result.upstreams.append(upstream)
                continue
            }
            if source == .flags {
                throw ServerError.configuration(
                    "--upstream \(upstream) is this server itself (--dns \(listen)): that is a forwarding loop")
            }
            warn("resolv.conf nameserver \(upstream) is this server itself (--dns \(listen)), not used as an upstream")
        }
        if result.upstreams.isEmpty && !upstreams.isEmpty {
            warn("no upstream left: names outside our zones get REFUSED")
        }
        return result
    }
}
