import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

enum ParallelWork {
    /// The processors online: how many threads the parallel parts of a build use.
    static let cores = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
}

/// One slot per job, each written by exactly one worker of `concurrentPerform` and read after
/// it returns: the join is the synchronization. Raw memory, so no exclusivity check trips on
/// two workers writing different slots at once.
final class ResultSlots<Value>: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<Value?>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    var values: [Value?] { Array(slots) }

    subscript(index: Int) -> Value? {
        get { slots[index] }
        set { slots[index] = newValue }
    }
}

/// Work started on a thread of its own, its result taken when it is needed. A thread, not
/// a dispatch queue: the caller blocks in ``wait()`` on a thread of the cooperative pool, and
/// a work item queued behind the pool's other threads might not start until they return.
final class Pending<Value>: @unchecked Sendable {
    private let result: ResultSlots<Value>
    private var thread: pthread_t?

    /// Starts `work`; runs it here and now if no thread can be made.
    init(_ work: @escaping @Sendable () -> Value) {
        let result = ResultSlots<Value>(count: 1)
        self.result = result
        self.thread = ThreadBody { result[0] = work() }.start()
    }

    /// A result there already.
    init(now value: Value) {
        result = ResultSlots<Value>(count: 1)
        result[0] = value
    }

    /// The result, once the work is done: the join orders its write before this read.
    func wait() -> Value {
        join()
        return result[0]!
    }

    deinit { join() }

    private func join() {
        guard let thread else { return }
        pthread_join(thread, nil)
        self.thread = nil
    }
}

/// What a thread of ``Pending`` runs.
private final class ThreadBody {
    let run: () -> Void

    init(_ run: @escaping () -> Void) {
        self.run = run
    }

    /// Runs on a new thread, or here and now (nil) if none can be made.
    func start() -> pthread_t? {
        let retained = Unmanaged.passRetained(self)
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { raw in
            Unmanaged<ThreadBody>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, retained.toOpaque())
        guard started == 0 else {
            retained.release()
            run()
            return nil
        }
        return thread
    }
}

/// `transform` of every index below `count`, on `workers` threads, each filling one contiguous
/// stretch of the result (neighbouring slots written by two cores would share cache lines).
/// The join of `concurrentPerform` orders every write before the array is handed back.
func parallelMap<Element>(count: Int, workers: Int, _ transform: @Sendable (Int) -> Element) -> [Element] {
    guard count > 0, workers > 1 else { return (0..<count).map(transform) }
    return [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
        let base = UncheckedPointer(pointer: buffer.baseAddress!)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for index in (count * worker / workers)..<(count * (worker + 1) / workers) {
                (base.pointer + index).initialize(to: transform(index))
            }
        }
        initialized = count
    }
}

/// A pointer handed to the workers of ``parallelMap(count:workers:_:)``, which write disjoint slots.
private struct UncheckedPointer<Element>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Element>
}
