import DNSWire

/// The records of one name, in the order they were given: one is held inline, more in an
/// array. Most names of a cluster have a single record (a service's address, a pod's, a PTR),
/// and an array of their own cost as much again as the record in its allocation's header and
/// rounding: at N = 100,000 that was some 36 MB of the model, and one allocation per name.
struct RecordList: Sendable, Sequence {
    private enum Storage: Sendable {
        case none
        case one(Record)
        case many([Record])
    }

    private var storage = Storage.none

    init() {}

    var isEmpty: Bool {
        if case .none = storage { return true }
        return false
    }

    var count: Int {
        switch storage {
        case .none: return 0
        case .one: return 1
        case .many(let records): return records.count
        }
    }

    mutating func append(_ record: Record) {
        switch storage {
        case .none:
            storage = .one(record)
        case .one(let first):
            storage = .many([first, record])
        case .many(var records):
            // Out of the enum first, so the append does not copy an array still referenced there.
            storage = .none
            records.append(record)
            storage = .many(records)
        }
    }

    mutating func append(contentsOf other: RecordList) {
        guard !isEmpty else {
            self = other
            return
        }
        for record in other { append(record) }
    }

    /// Several records in an array of their own size: grown by doubling, the lists of a
    /// service's SRV records (one per endpoint and port) held room unused. Trimmed, the model's
    /// record arrays at N = 100,000 went from 30.6 to 24.4 MB (heaptrack at the peak).
    mutating func trim() {
        guard case .many(let records) = storage else { return }
        storage = .many(records.trimmed(allowing: 0))
    }

    /// Takes away the first record equal to `record`; false when there is none. A list back
    /// to one record holds it inline again.
    mutating func removeFirst(_ record: Record) -> Bool {
        switch storage {
        case .none:
            return false
        case .one(let only):
            guard only == record else { return false }
            storage = .none
            return true
        case .many(var records):
            guard let index = records.firstIndex(of: record) else { return false }
            storage = .none
            records.remove(at: index)
            storage = records.count == 1 ? .one(records[0]) : .many(records)
            return true
        }
    }

    func makeIterator() -> Iterator {
        switch storage {
        case .none: return Iterator(single: nil, rest: nil)
        case .one(let record): return Iterator(single: record, rest: nil)
        case .many(let records): return Iterator(single: nil, rest: records.makeIterator())
        }
    }

    struct Iterator: IteratorProtocol {
        fileprivate var single: Record?
        fileprivate var rest: IndexingIterator<[Record]>?

        mutating func next() -> Record? {
            if let record = single {
                single = nil
                return record
            }
            return rest?.next()
        }
    }
}
