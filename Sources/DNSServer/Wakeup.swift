import CDatagram
import Glibc
import NIOCore

/// An eventfd that wakes a worker waiting in poll: to switch to a new snapshot, or to stop.
final class Wakeup: Sendable {
    private let shared: SharedDescriptor

    /// For the worker's poll and reads; stays open until the worker has stopped.
    var descriptor: Int32 { shared.value }

    init() throws {
        let descriptor = cdns_eventfd()
        guard descriptor >= 0 else { throw IOError(errnoCode: errno, reason: "eventfd") }
        shared = SharedDescriptor(descriptor)
    }

    /// Wakes the worker. A full counter (a worker that never waits) needs no more waking.
    func signal() {
        shared.use { descriptor in
            var one: UInt64 = 1
            _ = write(descriptor, &one, MemoryLayout<UInt64>.size)
        }
    }

    /// Called by the woken worker: resets the counter.
    func consume() {
        var count: UInt64 = 0
        _ = read(descriptor, &count, MemoryLayout<UInt64>.size)
    }

    func close() {
        shared.close()
    }
}
