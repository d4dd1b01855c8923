/// The names a pod's resolver tries for a name, in order: glibc's `res_search` with the
/// resolv.conf Kubernetes gives a pod (`search <ns>.svc.<zone> svc.<zone> <zone>`,
/// `options ndots:5`).
struct SearchPath: Equatable {
    var domains: [String]
    var ndots: Int

    /// The search list of a pod in `namespace` of the cluster domain `zone`.
    init(namespace: String, zone: String, ndots: Int = 5) {
        let zone = zone.hasSuffix(".") ? String(zone.dropLast()) : zone
        domains = ["\(namespace).svc.\(zone)", "svc.\(zone)", zone]
        self.ndots = ndots
    }

    /// Absolute names (trailing dot) are tried alone. Names with at least `ndots` dots are
    /// tried as they are first, then with each domain; shorter ones with each domain first
    /// and as they are last.
    func candidates(for name: String) -> [String] {
        if name.hasSuffix(".") { return [name] }
        let dots = name.filter { $0 == "." }.count
        let searched = domains.map { "\(name).\($0)." }
        return dots >= ndots ? ["\(name)."] + searched : searched + ["\(name)."]
    }
}
