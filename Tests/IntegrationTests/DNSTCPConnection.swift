import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One DNS-over-TCP client connection to 127.0.0.1, for the connection-limit tests: it tells
/// an answer from a connection the server closed, and can play a client that never reads.
/// Closed when released.
final class DNSTCPConnection: @unchecked Sendable {
    // @unchecked: a test hands a connection from thread to thread, one user at a time.
    private let socket: LoopbackSocket

    /// Connects to 127.0.0.1:`port`. `bufferBytes` shrinks both socket buffers (set before
    /// connecting, so the kernel does not grow them): a client that stops reading fills up fast.
    init(port: Int, bufferBytes: Int? = nil) throws {
        socket = try LoopbackSocket(.tcp)
        if let bufferBytes {
            var size = Int32(bufferBytes)
            for option in [SO_RCVBUF, SO_SNDBUF] {
                guard setsockopt(socket.fd, SOL_SOCKET, option, &size, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
                    throw SocketError(call: "setsockopt buffer size", code: errno)
                }
            }
        }
        try socket.connect(port: port, timeoutMilliseconds: 200)
    }

    /// `queries` with their 2-byte length prefixes, back to back.
    static func frame(_ queries: [[UInt8]]) -> [UInt8] {
        queries.flatMap { [UInt8($0.count >> 8), UInt8($0.count & 0xFF)] + $0 }
    }

    enum Outcome: Equatable {
        case reply([UInt8])
        /// The server closed or reset the connection.
        case closed
        /// Neither an answer nor a close within the time given.
        case timedOut
    }

    /// Sends one query and waits up to `seconds` for its framed reply.
    func exchange(_ query: [UInt8], seconds: Double = 5) -> Outcome {
        let stream = Self.frame([query])
        guard send(socket.fd, stream, stream.count, Int32(MSG_NOSIGNAL)) == stream.count else { return .closed }
        let deadline = Date().addingTimeInterval(seconds)
        var received: [UInt8] = []
        while Date() < deadline {
            if received.count >= 2 {
                let length = Int(received[0]) << 8 | Int(received[1])
                if received.count >= 2 + length { return .reply(Array(received[2..<2 + length])) }
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = recv(socket.fd, &chunk, chunk.count, 0)
            if count == 0 { return .closed }
            if count < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { continue }
                return .closed
            }
            received += chunk[..<count]
        }
        return .timedOut
    }

    /// Whether the server closes (or resets) the connection within `seconds`; whatever else
    /// arrives meanwhile is read and dropped.
    func closedByServer(within seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        var chunk = [UInt8](repeating: 0, count: 65536)
        while Date() < deadline {
            let count = recv(socket.fd, &chunk, chunk.count, 0)
            if count == 0 { return true }
            if count < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR { return true }
        }
        return false
    }

    /// Sends raw bytes (a partial frame, say) without reading anything.
    func sendRaw(_ bytes: [UInt8]) throws {
        guard send(socket.fd, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else {
            throw SocketError(call: "send", code: errno)
        }
    }

    /// How a flood ended.
    enum FloodEnd: Equatable, Sendable {
        /// Sending made no progress for the stall time: the server stopped reading.
        case blocked
        /// The server closed the connection.
        case closed
        /// Everything was sent: the server kept reading.
        case budgetSpent
    }

    /// Pipelines copies of `query` without ever reading an answer, until sending has made no
    /// progress for `stall` seconds, the server closed the connection, or `budget` bytes went out.
    func floodWithoutReading(_ query: [UInt8], budget: Int, stall: Double) -> (sent: Int, end: FloodEnd) {
        let batch = Self.frame(Array(repeating: query, count: 1000))
        var sent = 0
        var offset = 0
        var lastProgress = Date()
        while sent < budget {
            let count = batch.withUnsafeBytes {
                send(socket.fd, $0.baseAddress! + offset, batch.count - offset, Int32(MSG_DONTWAIT | MSG_NOSIGNAL))
            }
            if count > 0 {
                sent += count
                offset = (offset + count) % batch.count
                lastProgress = Date()
            } else if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                if Date().timeIntervalSince(lastProgress) >= stall { return (sent, .blocked) }
                usleep(10_000)
            } else {
                return (sent, .closed)
            }
        }
        return (sent, .budgetSpent)
    }
}

/// Runs blocking socket work on a thread of its own, so long waits never hold a thread of the
/// pool that the test process's other tasks run on. `#expect` does not belong in `work`: off
/// the test's task an issue is not attributed to the test (it would pass); return the facts
/// and check them in the test.
func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
