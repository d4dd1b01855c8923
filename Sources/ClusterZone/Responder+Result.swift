import DNSWire

extension Responder {
    /// What the caller does with a packet once the responder has looked at it. A plain enum
    /// of trivial payloads: returning it allocates nothing.
    public enum Result: Sendable, Equatable {
        /// A response of this many bytes is in the output buffer: send it.
        case reply(Int)
        /// No answer at all (a response, or too short to hold a header).
        case silent
        /// Not ours to answer: ask the upstream resolvers. Nothing was written; the parsed
        /// query tells where the question ends and what the client offered (EDNS, flags).
        case forward(Query)
        /// A response is in the output buffer, but the upstream may finish it: ask it for the
        /// chase's target and answer with both (see ``Chase``). Only ExternalName targets
        /// outside our zones and autopath's last step return this; it carries arrays, which
        /// the common cases never build.
        case chase(Chase)
    }
}
