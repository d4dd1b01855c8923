import ClusterModel
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An HTTP/1.1 exchange over a plain blocking socket to 127.0.0.1, for what a well-behaved client
/// library will not send: bodies shorter than their Content-Length, invalid UTF-8, hand-made
/// chunked encodings, and many watches at once without a connection pool in between.
final class RawHTTPConnection: @unchecked Sendable {
    // @unchecked: one test task uses a connection at a time; the descriptor is closed once.
    let fd: Int32

    /// Connects to 127.0.0.1:`port`; reads give up after `timeoutSeconds`.
    init(port: Int, timeoutSeconds: Int = 10) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let code = errno
            close(fd)
            throw TestFailure("connect 127.0.0.1:\(port): errno \(code)")
        }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// Writes all of `bytes`; false when the server closed or reset the connection first (it may
    /// answer early, e.g. 413 before reading a large body).
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let result = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if result <= 0 { return false }
            sent += result
        }
        return true
    }

    /// Tells the server that nothing more comes (the body ends here, short or not).
    func finishSending() {
        shutdown(fd, Int32(SHUT_WR))
    }

    /// Reads one response: nil when the connection ended (or timed out) before a status line.
    /// A chunked body is decoded.
    func readResponse() throws -> RawHTTPResponse? {
        var reader = Reader(fd: fd)
        guard let head = reader.readHead() else { return nil }
        let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        guard let statusLine = lines.first, statusLine.hasPrefix("HTTP/1.") else {
            throw TestFailure("not an HTTP status line: \(head.prefix(200))")
        }
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, let code = Int(parts[1]) else { throw TestFailure("bad status line \(statusLine)") }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body: [UInt8] = []
        if headers["transfer-encoding"]?.lowercased() == "chunked" {
            while let sizeLine = reader.readLine(), let size = Int(sizeLine.split(separator: ";")[0], radix: 16) {
                if size == 0 { break }
                guard let chunk = reader.read(count: size) else { break }
                body += chunk
                _ = reader.readLine()
            }
        } else if let length = headers["content-length"].flatMap({ Int($0) }) {
            body = reader.read(count: length) ?? []
        }
        return RawHTTPResponse(code: code, headers: headers, body: body)
    }

    /// Reads the head of a streamed response (a watch), leaving its body for `readLines`.
    func readHead() -> (code: Int, reader: Reader)? {
        var reader = Reader(fd: fd)
        guard let head = reader.readHead(), let line = head.split(separator: "\r\n").first else { return nil }
        let parts = line.split(separator: " ")
        guard parts.count >= 2, let code = Int(parts[1]) else { return nil }
        return (code, reader)
    }

    /// A buffered reader over the socket.
    struct Reader {
        let fd: Int32
        var buffer: [UInt8] = []

        init(fd: Int32) { self.fd = fd }

        /// Reads more bytes; false at the end of the stream or on a timeout.
        mutating func fill() -> Bool {
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            guard count > 0 else { return false }
            buffer += chunk[..<count]
            return true
        }

        mutating func readHead() -> String? {
            let end: [UInt8] = [13, 10, 13, 10]
            while true {
                if let range = firstRange(of: end) {
                    let head = String(decoding: buffer[..<range], as: UTF8.self)
                    buffer.removeFirst(range + 4)
                    return head
                }
                guard fill() else { return nil }
            }
        }

        mutating func readLine() -> String? {
            while true {
                if let range = firstRange(of: [13, 10]) {
                    let line = String(decoding: buffer[..<range], as: UTF8.self)
                    buffer.removeFirst(range + 2)
                    return line
                }
                guard fill() else { return nil }
            }
        }

        mutating func read(count: Int) -> [UInt8]? {
            while buffer.count < count {
                guard fill() else { return nil }
            }
            let bytes = Array(buffer[..<count])
            buffer.removeFirst(count)
            return bytes
        }

        /// The body of a chunked watch response, one JSON event per line, until `count` events
        /// arrived or the stream ended.
        mutating func readEvents(count: Int) -> [JSONValue] {
            var events: [JSONValue] = []
            var pending: [UInt8] = []
            while events.count < count {
                guard let sizeLine = readLine(), let size = Int(sizeLine.split(separator: ";").first ?? "", radix: 16),
                    size > 0, let chunk = read(count: size)
                else { break }
                _ = readLine()
                pending += chunk
                while let newline = pending.firstIndex(of: 10) {
                    if let event = try? JSONDecoder().decode(JSONValue.self, from: Data(pending[..<newline])) {
                        events.append(event)
                    }
                    pending.removeFirst(newline + 1)
                }
            }
            return events
        }

        private func firstRange(of pattern: [UInt8]) -> Int? {
            guard buffer.count >= pattern.count else { return nil }
            for start in 0...(buffer.count - pattern.count) where buffer[start] == pattern[0] {
                if Array(buffer[start..<start + pattern.count]) == pattern { return start }
            }
            return nil
        }
    }
}

struct RawHTTPResponse: Sendable, CustomStringConvertible {
    var code: Int
    var headers: [String: String]
    var body: [UInt8]

    var json: JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: Data(body)) }

    var description: String { "HTTP \(code) \(String(decoding: body.prefix(300), as: UTF8.self))" }
}

enum RawHTTP {
    /// The bytes of one request: `body` goes out with a Content-Length of its size unless
    /// `contentLength` says otherwise (a lie, for truncation tests) or `chunked` is set.
    static func request(
        _ method: String, _ path: String, body: [UInt8]? = nil, contentLength: Int? = nil, chunked: Bool = false,
        contentType: String = "application/json", close: Bool = true
    ) -> [UInt8] {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        if close { head += "Connection: close\r\n" }
        var payload: [UInt8] = []
        if let body {
            head += "Content-Type: \(contentType)\r\n"
            if chunked {
                head += "Transfer-Encoding: chunked\r\n"
                var offset = 0
                while offset < body.count {
                    let size = min(64 * 1024, body.count - offset)
                    payload += Array(String(size, radix: 16).utf8) + [13, 10] + body[offset..<offset + size] + [13, 10]
                    offset += size
                }
                payload += Array("0\r\n\r\n".utf8)
            } else {
                head += "Content-Length: \(contentLength ?? body.count)\r\n"
                payload = body
            }
        }
        return Array((head + "\r\n").utf8) + payload
    }

    /// Sends one request on a new connection and reads the answer (nil: closed without one).
    /// `finish` half-closes after sending, as a client whose body ended early would.
    static func exchange(port: Int, _ bytes: [UInt8], finish: Bool = false) async throws -> RawHTTPResponse? {
        try await offCooperativePool {
            let connection = try RawHTTPConnection(port: port)
            connection.send(bytes)
            if finish { connection.finishSending() }
            return try connection.readResponse()
        }
    }
}

/// Runs blocking socket work on a thread of its own. Not on Dispatch's global queues: on Linux
/// they share a pool as wide as the machine's cores with the cooperative executor, so a few
/// reads blocked on the server under test would starve the server itself.
func offCooperativePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try work() })
        }
        thread.start()
    }
}
