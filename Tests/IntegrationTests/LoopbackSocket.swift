#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

struct SocketError: Error, CustomStringConvertible {
    var call: String
    /// errno, when the failure came from the system.
    var code: Int32?
    var description: String { code.map { "\(call): \(String(cString: strerror($0)))" } ?? call }
}

/// A plain BSD socket on 127.0.0.1 (no SO_REUSEPORT), for what dig cannot do: send garbage
/// datagrams, and occupy a port so that clusterdns cannot bind it. Closed on deinit.
final class LoopbackSocket {
    let fd: Int32

    init(_ kind: Kind) throws {
        fd = socket(AF_INET, (kind == .udp ? Int32(SOCK_DGRAM.rawValue) : Int32(SOCK_STREAM.rawValue)) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError(call: "socket", code: errno) }
    }

    deinit { close(fd) }

    enum Kind { case udp, tcp }

    func bind(port: Int) throws {
        var address = Self.loopback(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else { throw SocketError(call: "bind 127.0.0.1:\(port)", code: errno) }
    }

    func listen() throws {
        guard Glibc.listen(fd, 8) == 0 else { throw SocketError(call: "listen", code: errno) }
    }

    /// The bound port (after `bind(port: 0)`).
    func localPort() throws -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0 else { throw SocketError(call: "getsockname", code: errno) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Sends `packet` to 127.0.0.1:`port` from a connected UDP socket and waits `timeoutMilliseconds`
    /// for one datagram back: nil when none came. A refused port throws (ICMP unreachable on a
    /// connected socket), so "no answer" never hides "no server".
    static func exchangeUDP(_ packet: [UInt8], port: Int, timeoutMilliseconds: Int) throws -> [UInt8]? {
        let socket = try LoopbackSocket(.udp)
        try socket.connect(port: port, timeoutMilliseconds: timeoutMilliseconds)
        guard send(socket.fd, packet, packet.count, 0) == packet.count else {
            throw SocketError(call: "send", code: errno)
        }
        var buffer = [UInt8](repeating: 0, count: 65535)
        let received = recv(socket.fd, &buffer, buffer.count, 0)
        if received < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK { return nil }
            throw SocketError(call: "recv", code: errno)
        }
        return Array(buffer[..<received])
    }

    /// Sends every message in `queries` on ONE TCP connection (2-byte length prefixes, all
    /// written before reading) and reads one framed reply per query, in order.
    static func exchangeTCP(_ queries: [[UInt8]], port: Int, timeoutMilliseconds: Int) throws -> [[UInt8]] {
        let socket = try LoopbackSocket(.tcp)
        try socket.connect(port: port, timeoutMilliseconds: timeoutMilliseconds)
        let stream = queries.flatMap { [UInt8($0.count >> 8), UInt8($0.count & 0xFF)] + $0 }
        guard send(socket.fd, stream, stream.count, 0) == stream.count else {
            throw SocketError(call: "send", code: errno)
        }
        return try queries.map { _ in
            let length = try socket.receiveExactly(2)
            return try socket.receiveExactly(Int(length[0]) << 8 | Int(length[1]))
        }
    }

    /// Connects to 127.0.0.1:`port`; receives give up after `timeoutMilliseconds`.
    func connect(port: Int, timeoutMilliseconds: Int) throws {
        var address = Self.loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw SocketError(call: "connect 127.0.0.1:\(port)", code: errno) }
        var timeout = timeval(tv_sec: timeoutMilliseconds / 1000, tv_usec: (timeoutMilliseconds % 1000) * 1000)
        let size = socklen_t(MemoryLayout<timeval>.size)
        guard setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, size) == 0 else {
            throw SocketError(call: "setsockopt SO_RCVTIMEO", code: errno)
        }
    }

    /// Reads exactly `count` bytes; a timeout or a closed connection before that throws.
    func receiveExactly(_ count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let received = bytes.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + filled, count - filled, 0) }
            if received == 0 {
                throw SocketError(call: "recv: connection closed after \(filled) of \(count) bytes", code: nil)
            }
            if received < 0 { throw SocketError(call: "recv", code: errno) }
            filled += received
        }
        return bytes
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
        return address
    }
}
