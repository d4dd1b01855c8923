import DNSServer

/// Prometheus text for a histogram whose buckets were counted per event loop and added up.
/// swift-prometheus histograms can only be fed one observation at a time (a lock each), which
/// the query path must not take; these two are written from the summed buckets instead.
enum HistogramText {
    static func append(_ name: String, _ counts: HistogramCounts, help: String, to text: inout String) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
        var cumulative = 0
        for (index, bound) in DurationBuckets.bounds.enumerated() {
            cumulative += counts.buckets[index]
            text += "\(name)_bucket{le=\"\(seconds(bound))\"} \(cumulative)\n"
        }
        cumulative += counts.buckets[DurationBuckets.bounds.count]
        text += "\(name)_bucket{le=\"+Inf\"} \(cumulative)\n"
        text += "\(name)_sum \(seconds(counts.sumNanoseconds))\n"
        text += "\(name)_count \(cumulative)\n"
    }

    /// Nanoseconds as seconds, without float noise for the bucket bounds (`0.00001`, `2.5`).
    static func seconds(_ nanoseconds: Int) -> String {
        let whole = nanoseconds / 1_000_000_000
        var fraction = String(nanoseconds % 1_000_000_000)
        fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.isEmpty ? "\(whole)" : "\(whole).\(fraction)"
    }
}
