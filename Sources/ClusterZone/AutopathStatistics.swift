import Synchronization

/// Autopath's counters, shared by every event loop's responder and forwarder (relaxed atomic
/// increments, paid only on the autopath path). Read them for metrics
/// (CoreDNS: `coredns_autopath_success_total`).
public final class AutopathStatistics: Sendable {
    private let localHits = Atomic<Int>(0)
    private let upstreamHits = Atomic<Int>(0)
    private let misses = Atomic<Int>(0)
    private let failures = Atomic<Int>(0)

    public init() {}

    /// Queries answered by autopath: a CNAME to a name found in our data or upstream.
    public var hits: Int { localHits.load(ordering: .relaxed) + upstreamHits.load(ordering: .relaxed) }
    /// Of ``hits``, those whose name was found upstream.
    public var hitsUpstream: Int { upstreamHits.load(ordering: .relaxed) }
    /// Search-path misses from known pods where no candidate existed: the plain NXDOMAIN.
    public var missed: Int { misses.load(ordering: .relaxed) }

    /// Hits that could not be composed (an ldns failure); the plain NXDOMAIN went out instead.
    public var composeFailures: Int { failures.load(ordering: .relaxed) }

    func countFailure() { failures.add(1, ordering: .relaxed) }
    func countLocalHit() { localHits.add(1, ordering: .relaxed) }
    /// Called by the forwarder when the upstream found the name.
    public func countUpstreamHit() { upstreamHits.add(1, ordering: .relaxed) }
    /// Called when no candidate existed, locally or upstream.
    public func countMiss() { misses.add(1, ordering: .relaxed) }
}
