import DNSWire
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One question to one DNS server, the way a stub resolver asks: UDP with EDNS, again over
/// TCP when the answer comes back truncated.
struct DNSProbe {
    let host: String
    let port: Int
    var timeout: Double = 2

    enum ProbeError: Error, CustomStringConvertible {
        case io(String, Int32)
        case timeout(String)
        case badAddress(String)

        var description: String {
            switch self {
            case .io(let call, let code): "\(call): \(String(cString: strerror(code)))"
            case .timeout(let server): "no answer from \(server)"
            case .badAddress(let host): "--dns: '\(host)' is not an IPv4 address"
            }
        }
    }

    func ask(_ name: String, type: UInt16) throws -> DecodedMessage {
        let id = UInt16.random(in: 1...UInt16.max)
        let query = try QueryEncoder.query(
            name: name, type: type, id: id, edns: Query.EDNS(udpSize: 1232, version: 0, dnssecOK: false))
        let reply = try exchange(query, stream: false)
        if reply.count > 2, reply[2] & 0x02 != 0 {
            return try DecodedMessage(wire: try exchange(query, stream: true))
        }
        return try DecodedMessage(wire: reply)
    }

    private func exchange(_ query: [UInt8], stream: Bool) throws -> [UInt8] {
        let fd = socket(AF_INET, Int32(stream ? SOCK_STREAM.rawValue : SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw ProbeError.io("socket", errno) }
        defer { close(fd) }
        var time = timeval(tv_sec: Int(timeout), tv_usec: 0)
        guard setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size)) == 0 else {
            throw ProbeError.io("setsockopt", errno)
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw ProbeError.badAddress(host) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw ProbeError.io("connect \(host):\(port)", errno) }
        let message = stream ? [UInt8(query.count >> 8), UInt8(query.count & 0xFF)] + query : query
        guard send(fd, message, message.count, 0) == message.count else { throw ProbeError.io("send", errno) }
        if !stream { return try receive(fd, upTo: 65535) }
        let length = try receiveExactly(fd, 2)
        return try receiveExactly(fd, Int(length[0]) << 8 | Int(length[1]))
    }

    private func receive(_ fd: Int32, upTo count: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        let received = recv(fd, &buffer, count, 0)
        if received < 0, errno == EAGAIN || errno == EWOULDBLOCK { throw ProbeError.timeout("\(host):\(port)") }
        guard received > 0 else { throw ProbeError.io("recv", errno) }
        return Array(buffer[..<received])
    }

    private func receiveExactly(_ fd: Int32, _ count: Int) throws -> [UInt8] {
        var result: [UInt8] = []
        while result.count < count {
            result += try receive(fd, upTo: count - result.count)
        }
        return result
    }
}
