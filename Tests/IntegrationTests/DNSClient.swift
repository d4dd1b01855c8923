import DNSWire
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Blocking DNS queries to 127.0.0.1 over UDP and TCP, with a receive timeout.
struct DNSClient {
    let port: Int

    /// Sends `packet` over UDP and waits up to `timeout` seconds; nil when nothing came.
    func udp(_ packet: [UInt8], timeout: Double = 5) throws -> DecodedMessage? {
        let fd = try Self.socket(type: Int32(SOCK_DGRAM.rawValue), port: port, timeout: timeout)
        defer { close(fd) }
        guard send(fd, packet, packet.count, 0) == packet.count else { throw DNSClientError.io("send", errno) }
        var buffer = [UInt8](repeating: 0, count: 65535)
        let received = recv(fd, &buffer, buffer.count, 0)
        if received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return nil }
        guard received > 0 else { throw DNSClientError.io("recv", errno) }
        return try DecodedMessage(wire: Array(buffer[..<received]))
    }

    /// Sends `packet` over a new TCP connection (2-byte framing) and reads one answer.
    func tcp(_ packet: [UInt8], timeout: Double = 5) throws -> DecodedMessage? {
        let fd = try Self.socket(type: Int32(SOCK_STREAM.rawValue), port: port, timeout: timeout)
        defer { close(fd) }
        let framed = [UInt8(packet.count >> 8), UInt8(packet.count & 0xFF)] + packet
        guard send(fd, framed, framed.count, 0) == framed.count else { throw DNSClientError.io("send", errno) }
        guard let header = try read(fd, 2) else { return nil }
        guard let body = try read(fd, Int(header[0]) << 8 | Int(header[1])) else { return nil }
        return try DecodedMessage(wire: body)
    }

    func ask(_ name: String, _ type: UInt16, id: UInt16 = 0x1234, edns: Query.EDNS? = nil, timeout: Double = 5) throws -> DecodedMessage? {
        try udp(QueryEncoder.query(name: name, type: type, id: id, edns: edns), timeout: timeout)
    }

    private func read(_ fd: Int32, _ count: Int) throws -> [UInt8]? {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: count)
        while result.count < count {
            let received = recv(fd, &buffer, count - result.count, 0)
            if received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return nil }
            guard received > 0 else { throw DNSClientError.io("recv", errno) }
            result += buffer[..<received]
        }
        return result
    }

    private static func socket(type: Int32, port: Int, timeout: Double) throws -> Int32 {
        let fd = Glibc.socket(AF_INET, type | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw DNSClientError.io("socket", errno) }
        var time = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        guard setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size)) == 0 else {
            close(fd)
            throw DNSClientError.io("setsockopt", errno)
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            throw DNSClientError.io("connect", errno)
        }
        return fd
    }
}

enum DNSClientError: Error {
    case io(String, Int32)
}
