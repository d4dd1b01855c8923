#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// An exclusive `flock` on `<data-dir>/registry.lock`, held while the registry runs: a second
/// registry on the same directory would write behind the first one's watches. The kernel drops
/// the lock when the process dies, even by `kill -9`, so a crash never leaves it stale.
final class DataDirectoryLock: Sendable {
    private let descriptor: Mutex<Int32>

    init(directory: String) throws(RegistryConfigurationError) {
        let path = directory + "/registry.lock"
        let descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw RegistryConfigurationError("--data-dir \(directory): cannot open \(path): \(Self.lastError())")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let reason = Self.lastError()
            close(descriptor)
            throw RegistryConfigurationError(
                "--data-dir \(directory) is in use by another registry (\(path) is locked: \(reason))")
        }
        self.descriptor = Mutex(descriptor)
    }

    /// Unlocks now, not when the last reference goes: a registry started again in the same
    /// process (or a child forked meanwhile, which shares the open file) must not find it held.
    func release() {
        descriptor.withLock { descriptor in
            guard descriptor >= 0 else { return }
            flock(descriptor, LOCK_UN)
            close(descriptor)
            descriptor = -1
        }
    }

    deinit {
        release()
    }

    private static func lastError() -> String {
        String(cString: strerror(errno))
    }
}
