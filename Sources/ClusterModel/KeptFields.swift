/// What the DNS side keeps of an object (``DNSFieldsDecodable``), in a form of its own: only
/// those fields, without the empty metadata and spec fields the whole form holds inline.
protocol KeptFields: Sendable, Hashable {
    associatedtype Whole: Sendable & Hashable
    /// The whole form this stands for: the object with every other field absent.
    var whole: Whole { get }
}

/// An object's fields, whole (as the registry stores and serves them) or kept (what a watch
/// cache holds), each in one allocation that copies share (``CopyOnWrite``). Changed, a kept
/// object holds the whole form from then on. Equal when the whole forms are.
struct ObjectFields<Kept: KeptFields>: Sendable, Hashable {
    private enum Form: Sendable {
        case whole(CopyOnWrite<Kept.Whole>)
        case kept(CopyOnWrite<Kept>)
        /// Only while ``whole`` is being changed: the box is not held here meanwhile, so a box
        /// no other copy shares is changed in place rather than copied.
        case changing
    }

    private var form: Form

    init(whole: Kept.Whole) {
        form = .whole(CopyOnWrite(whole))
    }

    init(kept: Kept) {
        form = .kept(CopyOnWrite(kept))
    }

    var isKept: Bool {
        if case .kept = form { return true }
        return false
    }

    /// A field read from the form held, without making the whole form of a kept object.
    @inline(__always)
    func read<Field>(kept: (Kept) -> Field, whole: (Kept.Whole) -> Field) -> Field {
        switch form {
        case .whole(let box): return whole(box.value)
        case .kept(let box): return kept(box.value)
        case .changing: preconditionFailure("fields read while they change")
        }
    }

    var whole: Kept.Whole {
        get {
            switch form {
            case .whole(let box): return box.value
            case .kept(let box): return box.value.whole
            case .changing: preconditionFailure("fields read while they change")
            }
        }
        _modify {
            var box: CopyOnWrite<Kept.Whole>
            switch form {
            case .whole(let whole): box = whole
            case .kept(let kept): box = CopyOnWrite(kept.value.whole)
            case .changing: preconditionFailure("fields changed while they change")
            }
            form = .changing
            defer { form = .whole(box) }
            yield &box.value
        }
    }

    static func == (lhs: Self, rhs: Self) -> Bool {
        switch (lhs.form, rhs.form) {
        case (.whole(let left), .whole(let right)): return left == right
        case (.kept(let left), .kept(let right)): return left == right
        default: return lhs.whole == rhs.whole
        }
    }

    func hash(into hasher: inout Hasher) {
        whole.hash(into: &hasher)
    }
}
