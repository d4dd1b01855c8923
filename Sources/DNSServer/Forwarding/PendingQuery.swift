import NIOCore

/// A query waiting for an upstream.
struct PendingQuery {
    var client: ClientQuery
    /// Clients that asked the same question while this one was waiting.
    var joined: [ClientQuery] = []
    var key: AnswerCache.Key
    /// Our query as sent (fresh ID, our OPT).
    var sent: [UInt8]
    /// Upstreams in the order they are tried, and which of them is being asked now.
    var order: [Int]
    var attempt = 0
    var timer: Scheduled<Void>?
    /// The UDP socket the current attempt left from: its answer must arrive there.
    var socket: ObjectIdentifier?
    var overTCP = false
    var tcp: (any Channel)?
    /// When the first upstream attempt left, for the forward duration.
    let started = NIODeadline.now()

    init(client: ClientQuery, key: AnswerCache.Key, sent: [UInt8], order: [Int]) {
        self.client = client
        self.key = key
        self.sent = sent
        self.order = order
    }

    var upstream: Int { order[attempt] }
    var clients: [ClientQuery] { [client] + joined }
    var sentQuestionEnd: Int { 12 + client.question.count }
}
