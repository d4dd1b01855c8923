import Foundation
import Testing

/// `/health`, `/ready` and `/metrics` of the real binary over real HTTP.
@Suite("Health, readiness and metrics over HTTP")
struct OperabilityTests {
    static let product = "product-service.ecommerce.svc.cluster.local"

    @Test("/health is 200 and /ready is 200 once manifests are loaded")
    func healthAndReadyWithManifests() async throws {
        let process = try await ServerProcess.start(seedArguments)
        do {
            let port = try await process.httpPort()
            let health = try await HTTPProbe.get("/health", port: port)
            #expect(health.status == 200)
            let ready = try await HTTPProbe.get("/ready", port: port)
            #expect(ready.status == 200, "\(ready.body)")
            let missing = try await HTTPProbe.get("/nothing-here", port: port)
            #expect(missing.status == 404)
        } catch {
            await process.stopAfterFailure()
            throw error
        }
        #expect(try await process.stop() == 0)
    }

    @Test("/ready is 503 with the reason while the registry cannot be reached; /health stays 200")
    func notReadyBeforeSync() async throws {
        let closed = try #require(ForwardingServer.freePort())
        let process = try await ServerProcess.start(["--source", "http://127.0.0.1:\(closed)"])
        do {
            let port = try await process.httpPort()
            #expect(try await HTTPProbe.get("/health", port: port).status == 200)
            let ready = try await HTTPProbe.get("/ready", port: port)
            #expect(ready.status == 503)
            #expect(ready.body.contains("not synced"), "\(ready.body)")
            // Once the feed has failed at least once its error is the reason given.
            let withError = try await poll(seconds: 20) {
                let reply = try await HTTPProbe.get("/ready", port: port)
                return reply.body.contains("registry:") ? reply : nil
            }
            #expect(withError.status == 503)
            let metrics = try await HTTPProbe.get("/metrics", port: port)
            #expect(metrics.body.contains("clusterdns_ready 0"), "\(metrics.body)")
            #expect(try Self.value("clusterdns_kubernetes_source_up", in: metrics.body) == 0, "\(metrics.body)")
            #expect(try Self.value("clusterdns_kubernetes_watch_failures_total", in: metrics.body) ?? 0 >= 1)
        } catch {
            await process.stopAfterFailure()
            throw error
        }
        #expect(try await process.stop() == 0)
    }

    @Test("/ready turns 200 once the embedded registry's first list is applied")
    func readyAfterRegistrySync() async throws {
        let process = try await ServerProcess.start(["--api", "127.0.0.1:0", "--zones-dir", Fixtures.zonesDirectory])
        do {
            let port = try await process.httpPort()
            let ready = try await poll(seconds: 30) {
                let reply = try await HTTPProbe.get("/ready", port: port)
                return reply.status == 200 ? reply : nil
            }
            #expect(ready.body.contains("ready"))
            let metrics = try await HTTPProbe.get("/metrics", port: port)
            // The embedded registry seeds its default namespaces.
            #expect(try Self.value("clusterdns_kubernetes_objects{kind=\"namespaces\"}", in: metrics.body) ?? 0 > 0)
            #expect(metrics.body.contains("clusterdns_kubernetes_watch_events_total"))
            #expect(metrics.body.contains("clusterdns_kubernetes_dns_programming_duration_seconds"))
            #expect(try Self.value("clusterdns_kubernetes_source_up", in: metrics.body) == 1, "\(metrics.body)")
        } catch {
            await process.stopAfterFailure()
            throw error
        }
        #expect(try await process.stop() == 0)
    }

    @Test("a Service written to the embedded registry is answered and timed by the programming-latency histogram")
    func programmingLatency() async throws {
        let process = try await ServerProcess.start(["--api", "127.0.0.1:0", "--zones-dir", Fixtures.zonesDirectory])
        do {
            let port = try await process.httpPort()
            _ = try await poll(seconds: 30) { try await HTTPProbe.get("/ready", port: port).status == 200 ? true : nil }
            let api = try await process.registryPort()
            let count = "clusterdns_kubernetes_dns_programming_duration_seconds_count"
            let before = try Self.value(count, in: try await HTTPProbe.get("/metrics", port: port).body) ?? 0
            let service = #"{"apiVersion":"v1","kind":"Service","metadata":{"name":"latency","namespace":"default"},"#
                + #""spec":{"ports":[{"port":80,"protocol":"TCP"}]}}"#
            let created = try await HTTPProbe.post("/api/v1/namespaces/default/services", json: service, port: api)
            #expect(created.status == 201, "\(created.body)")
            let answer = try await poll(seconds: 10) {
                let reply = try await Dig.query("latency.default.svc.cluster.local", "A", port: process.server.port)
                return reply.status == "NOERROR" && !reply.answer.isEmpty ? reply : nil
            }
            #expect(answer.answer.count == 1)
            let after = try await poll(seconds: 10) {
                let value = try Self.value(count, in: try await HTTPProbe.get("/metrics", port: port).body) ?? 0
                return value > before ? value : nil
            }
            #expect(after > before)
        } catch {
            await process.stopAfterFailure()
            throw error
        }
        #expect(try await process.stop() == 0)
    }

    @Test("/metrics: request and rcode counters grow with dig queries; registry and snapshot gauges")
    func metricsCountQueries() async throws {
        let process = try await ServerProcess.start(seedArguments)
        do {
            let port = try await process.httpPort()
            let before = try await HTTPProbe.get("/metrics", port: port).body
            let udpA = "clusterdns_dns_requests_total{proto=\"udp\",type=\"A\"}"
            let tcpSRV = "clusterdns_dns_requests_total{proto=\"tcp\",type=\"SRV\"}"
            let noError = "clusterdns_dns_responses_total{rcode=\"NOERROR\"}"
            let nxDomain = "clusterdns_dns_responses_total{rcode=\"NXDOMAIN\"}"
            for _ in 0..<3 { _ = try await Dig.query(Self.product, "A", port: process.server.port) }
            _ = try await Dig.query("_http._tcp." + Self.product, "SRV", port: process.server.port, ["+tcp"])
            let missing = try await Dig.query("nothing.ecommerce.svc.cluster.local", "A", port: process.server.port)
            #expect(missing.status == "NXDOMAIN")
            let after = try await HTTPProbe.get("/metrics", port: port).body
            #expect(try Self.value(udpA, in: after)! - (Self.value(udpA, in: before) ?? 0) == 4)
            #expect(try Self.value(tcpSRV, in: after)! - (Self.value(tcpSRV, in: before) ?? 0) == 1)
            #expect(try Self.value(noError, in: after)! - (Self.value(noError, in: before) ?? 0) == 4)
            #expect(try Self.value(nxDomain, in: after)! - (Self.value(nxDomain, in: before) ?? 0) == 1)
            #expect(try Self.value("clusterdns_dns_request_duration_seconds_count", in: after)! >= 5)
            #expect(try Self.value("clusterdns_kubernetes_objects{kind=\"services\"}", in: after)! > 0)
            #expect(try Self.value("clusterdns_snapshot_names", in: after)! > 0)
            #expect(after.contains("# TYPE clusterdns_dns_request_duration_seconds histogram"))
            #expect(after.contains("clusterdns_snapshot_build_duration_seconds_count"))
            #expect(try Self.value("clusterdns_ready", in: after) == 1)
        } catch {
            await process.stopAfterFailure()
            throw error
        }
        #expect(try await process.stop() == 0)
    }

    /// The value of the sample line `name` (with its labels, exactly as written) in a scrape.
    static func value(_ name: String, in text: String) throws -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.dropFirst(name.count + 1))
        }
        return nil
    }
}

/// Calls `probe` every 50 ms until it returns a value, failing after `seconds`.
func poll<T>(seconds: Double, _ probe: () async throws -> T?) async throws -> T {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if let value = try await probe() { return value }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw PollTimeout(seconds: seconds)
}

struct PollTimeout: Error, CustomStringConvertible {
    var seconds: Double
    var description: String { "condition not met within \(seconds) s" }
}
