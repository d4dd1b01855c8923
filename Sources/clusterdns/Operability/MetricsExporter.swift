import ClusterZone
import DNSServer
import Metrics

/// `/metrics`: every metric is made once here (through swift-metrics, backed by the Prometheus
/// registry the executable bootstrapped); a scrape collects the per-loop counters (one task
/// per event loop), brings the swift-metrics counters and gauges up to date, and emits the
/// registry plus the two per-loop histograms.
///
/// The query path counts in plain loop-confined integers (``QueryCounters``); swift-metrics
/// counters take a lock per increment, so they are fed here, by difference, once per scrape.
actor MetricsExporter {
    /// The Prometheus registry's text (the registry the metrics system was bootstrapped with).
    private let emitRegistry: @Sendable () -> String
    private let status: ServerStatus
    private let feed: FeedStatusBox

    private let udpRequests: [Counter]
    private let tcpRequests: [Counter]
    private let responses: [Counter]
    private let forward: [Counter]
    private let cache: [Counter]
    private let cacheEntries = Gauge(label: "clusterdns_cache_entries")
    private let objects: [Gauge]
    private let snapshotNames = Gauge(label: "clusterdns_snapshot_names")
    private let snapshotSerial = Gauge(label: "clusterdns_snapshot_serial")
    private let ready = Gauge(label: "clusterdns_ready")
    private let watchEvents = Counter(label: "clusterdns_kubernetes_watch_events_total")
    private let relists = Counter(label: "clusterdns_kubernetes_relists_total")
    private let watchFailures = Counter(label: "clusterdns_kubernetes_watch_failures_total")
    /// 0 while the source fails (the last good snapshot keeps serving), 1 otherwise.
    private let sourceUp = Gauge(label: "clusterdns_kubernetes_source_up")
    private let autopath: AutopathStatistics
    private let autopathHits = Counter(label: "clusterdns_autopath_hits_total")
    private let autopathMisses = Counter(label: "clusterdns_autopath_misses_total")

    /// What each counter was last brought up to, by counter identity.
    private var pushed: [ObjectIdentifier: Int] = [:]

    init(
        emitRegistry: @escaping @Sendable () -> String, status: ServerStatus, feed: FeedStatusBox,
        autopath: AutopathStatistics
    ) {
        self.emitRegistry = emitRegistry
        self.autopath = autopath
        self.status = status
        self.feed = feed
        func requests(_ proto: String) -> [Counter] {
            QueryTypeBucket.names.map {
                Counter(label: "clusterdns_dns_requests_total", dimensions: [("proto", proto), ("type", $0)])
            }
        }
        udpRequests = requests("udp")
        tcpRequests = requests("tcp")
        responses = (0..<16).map {
            Counter(label: "clusterdns_dns_responses_total", dimensions: [("rcode", DNSMnemonics.rcode($0))])
        }
        forward = [
            "clusterdns_forward_requests_total", "clusterdns_forward_responses_total",
            "clusterdns_forward_failures_total", "clusterdns_forward_servfail_total",
            "clusterdns_forward_refused_total", "clusterdns_forward_tcp_retries_total",
        ].map { Counter(label: $0) }
        cache = ["clusterdns_cache_hits_total", "clusterdns_cache_misses_total", "clusterdns_cache_evictions_total"]
            .map { Counter(label: $0) }
        objects = ["services", "endpointslices", "namespaces", "pods"].map {
            Gauge(label: "clusterdns_kubernetes_objects", dimensions: [("kind", $0)])
        }
    }

    /// The Prometheus text exposition of everything, current as of this call.
    func scrape() async -> String {
        let queries = await status.queryStatistics()
        for (index, total) in queries.udpRequests.enumerated() { push(udpRequests[index], to: total) }
        for (index, total) in queries.tcpRequests.enumerated() { push(tcpRequests[index], to: total) }
        for (index, counter) in responses.enumerated() { push(counter, to: queries.rcodes[index]) }
        if let forwarding = await status.forwardingStatistics() {
            let totals = [
                forwarding.upstreamQueries, forwarding.answered, forwarding.upstreamFailures, forwarding.servFails,
                forwarding.refusedOverCap, forwarding.tcpRetries,
            ]
            for (counter, total) in zip(forward, totals) { push(counter, to: total) }
            for (counter, total) in zip(cache, [forwarding.cacheHits, forwarding.cacheMisses, forwarding.cacheEvictions]) {
                push(counter, to: total)
            }
            cacheEntries.record(forwarding.cacheEntries)
        }
        let snapshot = status.snapshot
        for (gauge, count) in zip(objects, [snapshot.services, snapshot.endpointSlices, snapshot.namespaces, snapshot.pods]) {
            gauge.record(count)
        }
        snapshotNames.record(snapshot.names)
        snapshotSerial.record(Int(snapshot.serial))
        ready.record(status.readiness == .ready ? 1 : 0)
        if let feed = feed.status {
            push(watchEvents, to: feed.events)
            push(relists, to: feed.relists)
            push(watchFailures, to: feed.failures)
            sourceUp.record(feed.lastError == nil ? 1 : 0)
        }
        push(autopathHits, to: autopath.hits)
        push(autopathMisses, to: autopath.missed)
        var text = emitRegistry()
        HistogramText.append(
            "clusterdns_dns_request_duration_seconds", queries.duration,
            help: "From a query's arrival to its response being written, answered here or upstream.", to: &text)
        HistogramText.append(
            "clusterdns_forward_request_duration_seconds", queries.forwardDuration,
            help: "From a forwarded query's first upstream attempt to the upstream's answer.", to: &text)
        return text
    }

    /// Brings a swift-metrics counter up to a total counted elsewhere.
    private func push(_ counter: Counter, to total: Int) {
        let key = ObjectIdentifier(counter)
        let delta = total - pushed[key, default: 0]
        guard delta > 0 else { return }
        counter.increment(by: delta)
        pushed[key] = total
    }
}
