import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A status code and body from one HTTP GET.
struct HTTPReply: Sendable {
    var status: Int
    var body: String
}

struct HTTPProbeError: Error, CustomStringConvertible {
    var description: String
}

/// Plain HTTP/1.1 GETs to 127.0.0.1 over a blocking socket (the way a kubelet probe or a
/// Prometheus scrape would ask), off the cooperative pool.
enum HTTPProbe {
    static func get(_ path: String, port: Int, timeout: Double = 5) async throws -> HTTPReply {
        try await offCooperativePool { try exchange("GET", path, body: nil, port: port, timeout: timeout) }
    }

    /// POSTs a JSON body (to the embedded registry's API).
    static func post(_ path: String, json: String, port: Int, timeout: Double = 5) async throws -> HTTPReply {
        try await offCooperativePool { try exchange("POST", path, body: json, port: port, timeout: timeout) }
    }

    private static func exchange(_ method: String, _ path: String, body: String?, port: Int, timeout: Double) throws -> HTTPReply {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HTTPProbeError(description: "socket: errno \(errno)") }
        defer { close(fd) }
        var time = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw HTTPProbeError(description: "connect to :\(port): errno \(errno)") }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        if let body {
            head += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
        }
        let request = Array((head + "\r\n" + (body ?? "")).utf8)
        guard send(fd, request, request.count, 0) == request.count else {
            throw HTTPProbeError(description: "send: errno \(errno)")
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let received = recv(fd, &buffer, buffer.count, 0)
            if received == 0 { break }
            guard received > 0 else { throw HTTPProbeError(description: "recv: errno \(errno)") }
            response += buffer[..<received]
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let statusLine = text.split(separator: "\r\n", maxSplits: 1).first,
            let code = statusLine.split(separator: " ").dropFirst().first.flatMap({ Int($0) }),
            let headerEnd = text.range(of: "\r\n\r\n")
        else { throw HTTPProbeError(description: "not an HTTP response: \(text.prefix(200))") }
        return HTTPReply(status: code, body: String(text[headerEnd.upperBound...]))
    }
}
