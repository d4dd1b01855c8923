import DNSWire

extension Responder {
    /// An answer that ends at a name outside every zone we serve, for the upstream to finish
    /// (SPEC.md section 2's ExternalName targets, section 5's last autopath step). The output
    /// buffer holds a complete response of `fallbackLength` bytes (the CNAME alone, or the
    /// NXDOMAIN of the asked name) that goes out when the upstream has nothing better.
    public struct Chase: Sendable, Equatable {
        /// The client's query; the question it asked is in its packet.
        public var query: Query
        /// The name to ask upstream (lower-case wire form), with the query's type and class.
        public var target: [UInt8]
        /// CNAME records that go ahead of the upstream's answer (autopath's alias).
        public var aliases: [Record]
        /// The fallback's own answer records go first (an ExternalName's CNAME chain).
        public var keepsFallbackAnswers: Bool
        /// Autopath made this chase: the upstream's hit counts as an autopath hit.
        public var isAutopath: Bool
        public var fallbackLength: Int

        public init(
            query: Query, target: [UInt8], aliases: [Record], keepsFallbackAnswers: Bool, isAutopath: Bool,
            fallbackLength: Int
        ) {
            self.query = query
            self.target = target
            self.aliases = aliases
            self.keepsFallbackAnswers = keepsFallbackAnswers
            self.isAutopath = isAutopath
            self.fallbackLength = fallbackLength
        }
    }
}
