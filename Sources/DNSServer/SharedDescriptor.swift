import Glibc
import Synchronization

/// A file descriptor that other threads may still reach after its owner is done with it (a
/// late forwarded answer, a publish after the worker stopped): their uses and the close take a
/// lock, and a use after the close does nothing rather than reach a descriptor number the
/// process has given to another file since. Closed by ``close()``, or when the last
/// reference goes (a worker that failed to start).
final class SharedDescriptor: Sendable {
    /// For the owner's own calls, which all end before it closes the descriptor.
    let value: Int32
    private let isOpen = Mutex(true)

    init(_ value: Int32) {
        self.value = value
    }

    deinit {
        close()
    }

    /// Runs `body` with the descriptor if it is still open.
    func use(_ body: (Int32) -> Void) {
        isOpen.withLock { open in
            if open { body(value) }
        }
    }

    func close() {
        isOpen.withLock { open in
            if open { Glibc.close(value) }
            open = false
        }
    }
}
