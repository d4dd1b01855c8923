/// Elements with how many objects give each: a multiset that is nearly always one element
/// from one object (the namespace that claims a pod address, the name an address points at),
/// so that one is held inline. A dictionary per set cost ~150 bytes each, 20 MB at 130,000
/// endpoints.
struct CountedSet<Element: Hashable & Comparable & Sendable>: Sendable {
    private var first: Element?
    private var firstCount: Int32 = 0
    /// Elements beyond the first, with their counts.
    private var others: [Element: Int32] = [:]

    init() {}

    var isEmpty: Bool { first == nil }
    /// More than one distinct element.
    var hasSeveral: Bool { !others.isEmpty }

    /// `body` over each element once, in order (so answers and problem lines read the same
    /// run to run). No array for the one element nearly every set has: one per set was a third
    /// of building the reverse table at N = 100,000.
    func reduce<Result>(_ initial: Result, _ body: (Result, Element) -> Result) -> Result {
        guard let first else { return initial }
        guard !others.isEmpty else { return body(initial, first) }
        return sorted.reduce(initial, body)
    }

    var sorted: [Element] {
        guard let first else { return [] }
        return ([first] + others.keys).sorted()
    }

    mutating func add(_ element: Element) {
        if first == nil {
            (first, firstCount) = (element, 1)
        } else if first == element {
            firstCount += 1
        } else {
            others[element, default: 0] += 1
        }
    }

    /// Takes away one giver of `element`; false when none gave it.
    @discardableResult
    mutating func remove(_ element: Element) -> Bool {
        guard first == element else {
            guard let count = others[element] else { return false }
            others[element] = count > 1 ? count - 1 : nil
            return true
        }
        firstCount -= 1
        guard firstCount == 0 else { return true }
        // The first element is gone: the least of the others (if any) takes its place.
        if let next = others.min(by: { $0.key < $1.key }) {
            others[next.key] = nil
            (first, firstCount) = (next.key, next.value)
        } else {
            first = nil
        }
        return true
    }
}
