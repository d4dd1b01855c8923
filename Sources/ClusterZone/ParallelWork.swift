import Dispatch
import Synchronization

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

    /// Indices a thread takes at a time, some 64 blocks a thread: the last one taken is a
    /// small share of the whole, and neighbouring slots written by two cores (sharing cache
    /// lines) are few.
    static func block(count: Int, threads: Int) -> Int {
        max(1, count / (threads * 64))
    }
}

/// `transform` of every index below `count`, made by helper threads that start at once and by
/// the caller of ``finish()``, each taking the next block of indices until none is left: a
/// caller with other work first (applying the chunk before) takes up, when done, what the
/// helpers have not reached instead of waiting for them. Helpers are threads, not dispatch
/// work items: the caller blocks on a thread of the cooperative pool, and an item queued
/// behind the pool's other threads might not start until they return.
final class SharedMap<Element> {
    private let work: Work
    private var helpers: [pthread_t] = []
    private var finished = false

    /// `helpers` threads besides the caller's, fewer when there are fewer blocks.
    init(count: Int, helpers: Int, _ transform: @escaping @Sendable (Int) -> Element) {
        let work = Work(count: count, block: ParallelWork.block(count: count, threads: helpers + 1), transform: transform)
        self.work = work
        for _ in 0..<min(helpers, (count + work.block - 1) / work.block) {
            guard let thread = ThreadBody({ work.run() }).start() else { break }
            self.helpers.append(thread)
        }
    }

    /// Every result, in order: this thread makes the ones no helper took, then joins the
    /// helpers, the join ordering their writes before the results are read. Once only.
    func finish() -> [Element] {
        precondition(!finished, "a shared map is finished once")
        work.run()
        join()
        finished = true
        return [Element](unsafeUninitializedCapacity: work.count) { buffer, initialized in
            if work.count > 0 { buffer.baseAddress!.moveInitialize(from: work.slots, count: work.count) }
            initialized = work.count
        }
    }

    private func join() {
        for thread in helpers { pthread_join(thread, nil) }
        helpers = []
    }

    deinit {
        // Never finished: its results are made all the same, and released.
        if !finished {
            work.run()
            join()
            work.slots.deinitialize(count: work.count)
        }
    }

    /// What the threads share: the helpers hold it, not the map, so the map's end (its
    /// `deinit`, on the thread that let it go) can join them.
    private final class Work: @unchecked Sendable {
        let count: Int
        let block: Int
        let transform: @Sendable (Int) -> Element
        /// Each slot written once, by the thread that took its block, and read after the joins:
        /// raw memory, so no exclusivity check trips on two threads writing different slots.
        let slots: UnsafeMutablePointer<Element>
        private let next = Atomic<Int>(0)

        init(count: Int, block: Int, transform: @escaping @Sendable (Int) -> Element) {
            self.count = count
            self.block = block
            self.transform = transform
            slots = .allocate(capacity: count)
        }

        func run() {
            takeBlocks(from: next, count: count, block: block) { (slots + $0).initialize(to: transform($0)) }
        }

        deinit { slots.deallocate() }
    }
}

/// `transform` of every index below `count`, on `workers` threads of the dispatch pool, each
/// taking the next block of indices until none is left. Taken as the threads come, not a
/// fixed share each: with halves, one core of a cold start's compile at N = 100,000 sat idle
/// its last 0.2 s while the other finished its half (perf). The pool's threads, not new ones:
/// glibc gives a new thread's allocations an arena of its own, and with that compile on new
/// threads the peak was 10-12 MB higher (medians of 8 and 6 alternating starts).
func parallelMap<Element>(count: Int, workers: Int, _ transform: @Sendable (Int) -> Element) -> [Element] {
    guard count > 0, workers > 1 else { return (0..<count).map(transform) }
    let block = ParallelWork.block(count: count, threads: workers)
    let next = Atomic<Int>(0)
    return [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
        let base = UncheckedPointer(pointer: buffer.baseAddress!)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            takeBlocks(from: next, count: count, block: block) { (base.pointer + $0).initialize(to: transform($0)) }
        }
        initialized = count
    }
}

/// Indices below `count`, `block` at a time, each taken once by one of the threads calling
/// this with the same `next`, until none is left.
@inline(__always)
private func takeBlocks(from next: borrowing Atomic<Int>, count: Int, block: Int, _ body: (Int) -> Void) {
    while true {
        let start = next.wrappingAdd(block, ordering: .relaxed).oldValue
        guard start < count else { return }
        for index in start..<min(start + block, count) { body(index) }
    }
}

/// A pointer handed to the workers of ``parallelMap(count:workers:_:)``, which write disjoint slots.
private struct UncheckedPointer<Element>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Element>
}

/// Arrays let go of on threads of their own, beside the caller's next work: freeing many
/// small allocations costs the thread that frees them. ``wait()`` (or the end) joins them,
/// so what they held is freed before the caller goes on to what needs the memory.
final class Releases {
    private var threads: [pthread_t] = []

    /// Takes `array`'s elements, leaving it empty; frees them here when no thread can be made.
    func release<Element>(_ array: inout [Element]) {
        let held = Held(array)
        array = []
        guard let thread = ThreadBody({ held.array = [] }).start() else { return }
        threads.append(thread)
    }

    func wait() {
        for thread in threads { pthread_join(thread, nil) }
        threads = []
    }

    deinit { wait() }

    /// Written by the releasing thread only, once the caller has handed it over.
    private final class Held<Element>: @unchecked Sendable {
        var array: [Element]
        init(_ array: [Element]) { self.array = array }
    }
}

/// What a helper thread of ``SharedMap`` or ``Releases`` runs.
private final class ThreadBody {
    let run: () -> Void

    init(_ run: @escaping () -> Void) {
        self.run = run
    }

    /// Runs on a new thread; nil, with nothing run, if none can be made.
    func start() -> pthread_t? {
        let retained = Unmanaged.passRetained(self)
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { raw in
            Unmanaged<ThreadBody>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, retained.toOpaque())
        guard started == 0 else {
            retained.release()
            return nil
        }
        return thread
    }
}
