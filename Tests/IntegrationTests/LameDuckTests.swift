import DNSWire
import Foundation
import Synchronization
import Testing

/// SIGTERM with a client querying throughout: not ready at once, every query of the lame-duck
/// period answered, then a clean exit.
@Suite("Graceful shutdown and the query log")
struct LameDuckTests {
    struct Sent: Sendable {
        var at: ContinuousClock.Instant
        var answered: Bool
    }

    @Test("SIGTERM: /ready 503 at once, /health 200, every query in --lameduck answered, exit 0 after it")
    func lameDuck() async throws {
        // Long enough that a loaded machine (the whole suite runs in parallel) still shows the
        // order: not ready first, answers throughout, exit after it.
        let lameDuck = 4.0
        let process = try await ServerProcess.start(seedArguments + ["--lameduck", "\(lameDuck)"])
        let stop = Atomic<Bool>(false)
        let dnsPort = process.server.port
        let client = Task {
            // One query at a time, each on a new socket, 1 s to answer: what a pod's resolver does.
            try await offCooperativePool { () -> [Sent] in
                var sent: [Sent] = []
                while !stop.load(ordering: .relaxed) {
                    let at = ContinuousClock.now
                    let reply = try? DNSClient(port: dnsPort).ask(OperabilityTests.product, RecordType.a, timeout: 1)
                    sent.append(Sent(at: at, answered: reply?.rcode == 0 && reply?.answer.isEmpty == false))
                }
                return sent
            }
        }
        do {
            let port = try await process.httpPort()
            #expect(try await HTTPProbe.get("/ready", port: port).status == 200)
            try await Task.sleep(for: .milliseconds(300))  // some traffic before the signal
            let signalled = ContinuousClock.now
            process.terminate()
            let notReady = try await poll(seconds: lameDuck - 1) {
                let reply = try await HTTPProbe.get("/ready", port: port)
                return reply.status == 503 ? reply : nil
            }
            #expect(notReady.body.contains("shutting down"), "\(notReady.body)")
            #expect(ContinuousClock.now - signalled < .seconds(lameDuck - 1))
            #expect(try await HTTPProbe.get("/health", port: port).status == 200)
            let status = try await process.waitForExit(timeout: 20)
            let exited = ContinuousClock.now
            stop.store(true, ordering: .relaxed)
            let sent = try await client.value
            #expect(status == 0)
            #expect(exited - signalled >= .seconds(lameDuck))
            #expect(exited - signalled < .seconds(lameDuck + 5))
            // Queries sent while the lame duck lasts, with time left for their answer to come back.
            let window = sent.filter { $0.at >= signalled && $0.at < signalled + .seconds(lameDuck - 0.2) }
            #expect(window.count >= 20, "only \(window.count) queries in the lame-duck window")
            let unanswered = window.filter { !$0.answered }.count
            #expect(unanswered == 0, "\(unanswered) of \(window.count) queries unanswered in the lame duck")
            let unansweredBefore = sent.filter { $0.at < signalled && !$0.answered }.count
            #expect(unansweredBefore == 0)
            #expect(process.server.logText.contains("lame duck"))
        } catch {
            stop.store(true, ordering: .relaxed)
            _ = try? await client.value
            await process.stopAfterFailure()
            throw error
        }
        try await process.stop()
    }

    @Test("--log-queries writes one line per query; without it, none")
    func queryLog() async throws {
        let line = /127\.0\.0\.1:\d+ udp product-service\.ecommerce\.svc\.cluster\.local\. A NOERROR qr,aa,rd \d+ \d+/
        try await withServer(seedArguments + ["--log-queries"]) { server in
            _ = try await Dig.query(OperabilityTests.product, "A", port: server.port)
            let logged = try await poll(seconds: 5) { try server.log().contains(line) ? true : nil }
            #expect(logged)
            _ = try await Dig.query("nothing.ecommerce.svc.cluster.local", "SRV", port: server.port, ["+tcp"])
            let tcp = try await poll(seconds: 5) {
                try server.log().contains(" tcp nothing.ecommerce.svc.cluster.local. SRV NXDOMAIN ") ? true : nil
            }
            #expect(tcp)
        }
        try await withServer(seedArguments) { server in
            _ = try await Dig.query(OperabilityTests.product, "A", port: server.port)
            #expect(!(try server.log().contains(" udp product-service.")))
        }
    }
}
