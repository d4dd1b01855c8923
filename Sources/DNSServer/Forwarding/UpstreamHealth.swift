import NIOCore

/// Which upstream to ask first. An upstream that times out or drops its TCP connection is
/// held down for a while (1 s, doubling per consecutive failure, at most 30 s) and asked only
/// after the healthy ones; once its hold-down ends it is first in line again, and one answer
/// makes it healthy. Per event loop, so each loop learns on its own, without locks.
struct UpstreamHealth {
    private var failures: [Int]
    private var downUntil: [NIODeadline]

    init(count: Int) {
        failures = Array(repeating: 0, count: count)
        downUntil = Array(repeating: .uptimeNanoseconds(0), count: count)
    }

    /// Healthy upstreams in configured order, then held-down ones, soonest back first.
    func order(now: NIODeadline) -> [Int] {
        let up = downUntil.indices.filter { downUntil[$0] <= now }
        let down = downUntil.indices.filter { downUntil[$0] > now }.sorted { downUntil[$0] < downUntil[$1] }
        return up + down
    }

    /// Holds `upstream` down; true when it was healthy until now.
    @discardableResult
    mutating func failed(_ upstream: Int, now: NIODeadline) -> Bool {
        failures[upstream] += 1
        let holdDown = min(30_000, 1000 << min(failures[upstream] - 1, 5))
        downUntil[upstream] = now + .milliseconds(Int64(holdDown))
        return failures[upstream] == 1
    }

    /// Marks `upstream` healthy; true when it had failed before.
    @discardableResult
    mutating func succeeded(_ upstream: Int) -> Bool {
        defer {
            failures[upstream] = 0
            downUntil[upstream] = .uptimeNanoseconds(0)
        }
        return failures[upstream] > 0
    }
}
