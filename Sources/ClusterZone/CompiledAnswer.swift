/// A prebuilt response body: everything after the question, encoded by ldns for one name and
/// type. Compression pointers in it point into the question (whose length is fixed by the
/// name) or into the body itself, so the bytes stay valid whatever case the query used. SRV
/// answers keep their targets shorter than the wire has them (``CompactTargets``).
struct CompiledAnswer: Sendable {
    var bodyStart: UInt32
    /// The whole body and its section counts.
    var whole: Cut
    /// The SRV targets are stored as pointers into the question (``CompactTargets``), so the
    /// stored bytes are fewer than `whole.bodyLength`. (In `Cut`'s padding: no room added.)
    var compactTargets = false
    /// Where truncation may cut (after each whole RRset), smallest first.
    var cutStart: UInt32
    var cutCount: UInt16
    /// Answers of ≥2 equal-sized A or AAAA records rotate (round robin): the first record's
    /// offset in the body, the record size, and how many there are.
    var rotateOffset: UInt32 = 0
    var rotateStride: UInt16 = 0
    var rotateCount: UInt16 = 0
}

/// A prefix of a body that ends on an RRset boundary, with the section counts it holds.
struct Cut: Sendable, Equatable {
    var bodyLength: UInt32
    var answerCount: UInt16
    var authorityCount: UInt16
    var additionalCount: UInt16
    /// Something from the answer or authority section was left out (TC=1). Dropping additional
    /// records alone does not set TC (RFC 2181 section 9).
    var truncates: Bool
}

/// One name of the snapshot.
struct NameEntry: Sendable {
    var zone: UInt16
    var flags: UInt8
    var typesStart: UInt32
    var typesCount: UInt16
    /// The answer for types without their own (the CNAME of an alias), or -1 (NODATA).
    var fallback: Int32

    static let externalName: UInt8 = 1
    static let podNamespace: UInt8 = 2
    /// An alias whose chain leaves every zone we serve: its address answers end with a name
    /// the upstream resolves (``ZoneSnapshot/externalTargets``).
    static let externalTarget: UInt8 = 4
    /// Replaced or deleted: no longer in the shard's table (``ZoneShard``).
    static let removed: UInt8 = 0x80
}

struct TypeAnswer: Sendable {
    var type: UInt16
    var answer: UInt32
}

/// A zone's apex and the bytes of its negative answers.
struct ZoneInfo: Sendable {
    var apex: [UInt8]
    /// The SOA record without its owner: a negative answer is a pointer to the apex inside
    /// the question followed by these bytes.
    var soaTail: [UInt8]
    var isCluster: Bool
    /// `in-addr.arpa` or `ip6.arpa` as a whole (not a static zone below them): names it does
    /// not know are forwarded when an upstream is configured.
    var isReverse: Bool
}
