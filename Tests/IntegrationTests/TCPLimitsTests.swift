import Foundation
import Testing

/// DNS over TCP against hostile or careless clients: the connection cap, the idle timeout,
/// clients that never read their answers, and pipelining. Behaviour only; the only times are
/// generous deadlines (the machine is shared and noisy).
@Suite("TCP: connection cap, idle timeout, slow clients, pipelining", .serialized)
struct TCPLimitsTests {
    static let product = "product-service.ecommerce.svc.cluster.local"

    /// A query for `product` with this ID; its reply must carry the same ID and rcode 0.
    static func query(_ id: UInt16) -> [UInt8] { QueryPacket.make(id: id, name: product) }

    static func isAnswer(_ outcome: DNSTCPConnection.Outcome, id: UInt16) -> Bool {
        guard case .reply(let bytes) = outcome else { return false }
        return ReplyHeader(bytes) == ReplyHeader(id: id, isResponse: true, rcode: 0)
    }

    /// Opens new connections until one is answered (the server counts a connection as closed
    /// only once it has seen the close), for at most `seconds`; returns it, still open.
    static func servedConnection(port: Int, within seconds: Double) -> DNSTCPConnection? {
        let deadline = Date().addingTimeInterval(seconds)
        var attempt: UInt16 = 0
        while Date() < deadline {
            attempt += 1
            if let connection = try? DNSTCPConnection(port: port),
               isAnswer(connection.exchange(query(9000 + attempt), seconds: 2), id: 9000 + attempt)
            {
                return connection
            }
            usleep(100_000)
        }
        return nil
    }

    /// Sends a query on each connection: whether each was answered with its ID.
    static func answered(_ connections: [DNSTCPConnection], firstID: UInt16) -> [Bool] {
        connections.enumerated().map { index, connection in
            let id = firstID + UInt16(index)
            return isAnswer(connection.exchange(query(id)), id: id)
        }
    }

    @Test("connections beyond --tcp-max-connections are closed at once; those under it are served")
    func connectionCap() async throws {
        try await withServer(seedArguments + ["--tcp-max-connections", "4", "--tcp-idle-timeout", "60"]) { server in
            let port = server.port
            var held = try await onOwnThread { try (0..<4).map { _ in try DNSTCPConnection(port: port) } }
            let first = try await onOwnThread { [held] in Self.answered(held, firstID: 0) }
            #expect(first == [true, true, true, true])
            // Over the cap: a query gets no answer, and the connection is closed.
            let over = try await onOwnThread {
                try (0..<3).map { index in try DNSTCPConnection(port: port).exchange(Self.query(UInt16(100 + index))) }
            }
            #expect(over == [.closed, .closed, .closed])
            // The connections under the cap are still served.
            let again = try await onOwnThread { [held] in Self.answered(held, firstID: 200) }
            #expect(again == [true, true, true, true])
            // One hangs up: its place goes to a new client...
            held.removeFirst()
            let newcomer = try await onOwnThread { Self.servedConnection(port: port, within: 10) }
            #expect(newcomer != nil)
            // ...and the cap holds again.
            let next = try await onOwnThread { try DNSTCPConnection(port: port).exchange(Self.query(300)) }
            #expect(next == .closed)
            withExtendedLifetime((held, newcomer)) {}
        }
    }

    @Test("a connection that sends nothing for --tcp-idle-timeout is closed; an active one is not")
    func idleTimeout() async throws {
        try await withServer(seedArguments + ["--tcp-idle-timeout", "1"]) { server in
            let port = server.port
            // Active for three times the timeout: every query answered on the one connection.
            let active = try await onOwnThread {
                let connection = try DNSTCPConnection(port: port)
                return (0..<10).map { index in
                    defer { usleep(300_000) }
                    return Self.isAnswer(connection.exchange(Self.query(UInt16(index))), id: UInt16(index))
                }
            }
            #expect(active == Array(repeating: true, count: 10))
            // Idle after an answer, silent from the start, or stopped in the middle of a frame:
            // all closed well before the default timeout (10 s) would close them.
            let (served, closed) = try await onOwnThread {
                let answered = try DNSTCPConnection(port: port)
                let served = Self.isAnswer(answered.exchange(Self.query(50)), id: 50)
                let silent = try DNSTCPConnection(port: port)
                let partial = try DNSTCPConnection(port: port)
                try partial.sendRaw([0, 40, 0x12])
                return (served, [answered, silent, partial].map { $0.closedByServer(within: 6) })
            }
            #expect(served)
            #expect(closed == [true, true, true])
        }
    }

    @Test("a client that pipelines queries and never reads is no longer read, then closed when idle")
    func nonReadingClientIsThrottledThenClosed() async throws {
        let budget = 48 << 20
        try await withServer(seedArguments + ["--tcp-idle-timeout", "1"]) { server in
            let port = server.port
            let (flood, closed) = try await onOwnThread {
                let greedy = try DNSTCPConnection(port: port, bufferBytes: 4096)
                // The server stops reading once its answers back up, so sending stalls (or the
                // idle timeout closes the connection) long before the budget; a server that kept
                // reading would buffer answers for all of it.
                let flood = greedy.floodWithoutReading(Self.query(7), budget: budget, stall: 0.5)
                return (flood, flood.end == .closed || greedy.closedByServer(within: 8))
            }
            #expect(flood.end != .budgetSpent, "sent \(flood.sent) bytes without being throttled")
            #expect(flood.sent < budget)
            #expect(closed)
            // The server is fine afterwards.
            let after = try await onOwnThread { Self.servedConnection(port: port, within: 5) }
            #expect(after != nil)
        }
    }

    @Test("clients that never read cannot stall UDP, and a new TCP client is served once they go")
    func slowClientsDoNotStallOthers() async throws {
        let cap = 6
        let budget = 48 << 20
        try await withServer(
            seedArguments + ["--tcp-max-connections", "\(cap)", "--tcp-idle-timeout", "60", "--threads", "2"]
        ) { server in
            let port = server.port
            // Half the slots: clients that flood pipelined queries and never read an answer.
            var stuck = try await withThrowingTaskGroup(of: (DNSTCPConnection, Int, DNSTCPConnection.FloodEnd).self) { group in
                for index in 0..<(cap / 2) {
                    group.addTask {
                        try await onOwnThread {
                            let connection = try DNSTCPConnection(port: port, bufferBytes: 4096)
                            let flood = connection.floodWithoutReading(Self.query(UInt16(index)), budget: budget, stall: 1)
                            return (connection, flood.sent, flood.end)
                        }
                    }
                }
                var all: [(DNSTCPConnection, Int, DNSTCPConnection.FloodEnd)] = []
                for try await result in group { all.append(result) }
                return all
            }
            #expect(stuck.map(\.2) == Array(repeating: .blocked, count: cap / 2), "sent \(stuck.map(\.1)) bytes")
            // The other half: ordinary clients, served while the stuck ones hold their slots.
            let ordinary = try await onOwnThread { try (0..<(cap / 2)).map { _ in try DNSTCPConnection(port: port) } }
            let served = try await onOwnThread { [ordinary] in Self.answered(ordinary, firstID: 500) }
            #expect(served == Array(repeating: true, count: cap / 2))
            // UDP answers throughout.
            let udp = try await onOwnThread {
                try (0..<20).map { index -> ReplyHeader? in
                    let reply = try LoopbackSocket.exchangeUDP(Self.query(UInt16(1000 + index)), port: port, timeoutMilliseconds: 3000)
                    return reply.flatMap(ReplyHeader.init)
                }
            }
            #expect(udp == (0..<20).map { ReplyHeader(id: UInt16(1000 + $0), isResponse: true, rcode: 0) })
            // All slots taken: a newcomer is turned away...
            let turnedAway = try await onOwnThread { try DNSTCPConnection(port: port).exchange(Self.query(600)) }
            #expect(turnedAway == .closed)
            // ...until the stuck clients give up; the ordinary ones were served all along.
            stuck.removeAll()
            let newcomer = try await onOwnThread { Self.servedConnection(port: port, within: 10) }
            #expect(newcomer != nil)
            let stillServed = try await onOwnThread { [ordinary] in Self.answered(ordinary, firstID: 800) }
            #expect(stillServed == Array(repeating: true, count: cap / 2))
            withExtendedLifetime((ordinary, newcomer)) {}
        }
    }

    @Test("50 pipelined queries in one write get 50 answers in order")
    func fiftyPipelinedQueries() async throws {
        try await withServer(seedArguments) { server in
            let questions: [(name: String, type: UInt16, rcode: UInt8)] = [
                (Self.product, 1, 0), ("missing.ecommerce.svc.cluster.local", 1, 3),
                ("payment-service.prod-env.svc.cluster.local", 1, 0),
                ("_https._tcp.payment-service.prod-env.svc.cluster.local", 33, 0),
                ("PRODUCT-Service.Ecommerce.svc.cluster.local", 28, 0),
            ]
            let asked = (0..<50).map { index in (id: UInt16(4000 + index * 7), question: questions[index % questions.count]) }
            let port = server.port
            // exchangeTCP writes all 50 framed queries with one send before reading.
            let replies = try await onOwnThread {
                try LoopbackSocket.exchangeTCP(
                    asked.map { QueryPacket.make(id: $0.id, name: $0.question.name, type: $0.question.type) },
                    port: port, timeoutMilliseconds: 5000)
            }
            #expect(replies.count == 50)
            #expect(replies.map { ReplyHeader($0) } == asked.map {
                ReplyHeader(id: $0.id, isResponse: true, rcode: $0.question.rcode)
            })
            // Each answer is to its own question (the name as asked, 0x20 case included).
            for (reply, query) in zip(replies, asked) {
                #expect(Self.questionName(reply) == query.question.name, "reply \(query.id)")
            }
        }
    }

    /// The question name of a message, as spelled on the wire (no compression in a question).
    static func questionName(_ message: [UInt8]) -> String? {
        var labels: [String] = []
        var offset = 12
        while offset < message.count {
            let length = Int(message[offset])
            if length == 0 { return labels.joined(separator: ".") }
            guard length < 64, offset + 1 + length <= message.count else { return nil }
            labels.append(String(decoding: message[offset + 1..<offset + 1 + length], as: UTF8.self))
            offset += 1 + length
        }
        return nil
    }
}
