import CDatagram
import Glibc
import NIOCore

/// A bound UDP socket of our own, not NIO's: a ``UDPWorker`` reads and answers on it in
/// batches, and the event loops send forwarded answers on it.
final class DatagramSocket: Sendable {
    private let shared: SharedDescriptor
    let port: Int

    /// For the worker's batched calls. It stays open until the worker has stopped.
    var descriptor: Int32 { shared.value }

    /// A socket bound to `address`, sharing the port with the other workers' sockets
    /// (SO_REUSEPORT: the kernel spreads datagrams over them). Port 0 is a port no socket
    /// holds (``unheldPort(like:)``). Throws the socket call's error.
    init(binding address: SocketAddress, receiveBuffer: Int) throws {
        var address = address
        if address.port == 0 { address.port = try Self.unheldPort(like: address) }
        let descriptor = try Self.openSocket(like: address)
        do {
            try Self.setOption(descriptor, SOL_SOCKET, SO_REUSEADDR, 1)
            try Self.setOption(descriptor, SOL_SOCKET, SO_REUSEPORT, 1)
            // A burst waits in the socket, not dropped: the default 208 KiB holds about 600
            // queries; the kernel caps this at net.core.rmem_max.
            try Self.setOption(descriptor, SOL_SOCKET, SO_RCVBUF, Int32(receiveBuffer))
            let bound = address.withSockAddr { Glibc.bind(descriptor, $0, socklen_t($1)) }
            guard bound == 0 else { throw IOError(errnoCode: errno, reason: "bind") }
            port = try Self.localPort(descriptor)
        } catch {
            Glibc.close(descriptor)
            throw error
        }
        shared = SharedDescriptor(descriptor)
    }

    /// Sends one datagram from an event loop (a forwarded answer). A failure is the client's
    /// loss alone, as with any UDP answer: nobody is left to tell.
    func send(_ message: [UInt8], to address: SocketAddress) {
        shared.use { descriptor in
            _ = message.withUnsafeBytes { bytes in
                address.withSockAddr { sendto(descriptor, bytes.baseAddress, bytes.count, 0, $0, socklen_t($1)) }
            }
        }
    }

    /// Closes the socket; the worker must have stopped.
    func close() {
        shared.close()
    }

    /// A port of `address`'s host that no UDP socket holds. Sockets of one user that all set
    /// SO_REUSEPORT (or all SO_REUSEADDR) may share a port, and the kernel's choice for such a
    /// socket's bind to port 0 counts a port they hold as free: the socket would join another
    /// process's group (another server started the same way, or a test's) and take some of its
    /// datagrams. A socket with neither option conflicts with every bound socket, so the port
    /// the kernel gives it is nobody's.
    private static func unheldPort(like address: SocketAddress) throws -> Int {
        let probe = try openSocket(like: address)
        defer { Glibc.close(probe) }
        let bound = address.withSockAddr { Glibc.bind(probe, $0, socklen_t($1)) }
        guard bound == 0 else { throw IOError(errnoCode: errno, reason: "bind") }
        return try localPort(probe)
    }

    /// A UDP socket of `address`'s family, closed on exec.
    private static func openSocket(like address: SocketAddress) throws -> Int32 {
        let descriptor = socket(Int32(address.protocol.rawValue), Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw IOError(errnoCode: errno, reason: "socket") }
        return descriptor
    }

    private static func setOption(_ descriptor: Int32, _ level: Int32, _ name: Int32, _ value: Int32) throws {
        var value = value
        guard setsockopt(descriptor, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw IOError(errnoCode: errno, reason: "setsockopt")
        }
    }

    private static func localPort(_ descriptor: Int32) throws -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard result == 0 else { throw IOError(errnoCode: errno, reason: "getsockname") }
        return SocketAddress(storage: storage)?.port ?? 0
    }
}

extension SocketAddress {
    /// The address in a `sockaddr_storage` the kernel filled in; nil for a family we do not
    /// serve over UDP. No host name: formatting one costs more than the answer.
    init?(storage: sockaddr_storage) {
        var storage = storage
        switch Int32(storage.ss_family) {
        case AF_INET:
            self = withUnsafeBytes(of: &storage) { SocketAddress($0.loadUnaligned(as: sockaddr_in.self), host: "") }
        case AF_INET6:
            self = withUnsafeBytes(of: &storage) { SocketAddress($0.loadUnaligned(as: sockaddr_in6.self), host: "") }
        default:
            return nil
        }
    }
}
