import ClusterModel
import DNSServer
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// `--http`: `/health`, `/ready` and `/metrics`, for probes and Prometheus.
///
/// Placed first in the service group so that it shuts down last: `/health` stays 200 and
/// `/ready` says why it is 503 through the whole lame-duck period. It starts listening once the
/// DNS sockets are bound, so that a start-up failure of DNS (a taken port, a forwarding loop)
/// stays the one line a person reads.
struct HTTPService: ServiceLifecycle.Service {
    let host: String
    let port: Int
    let status: ServerStatus
    let feed: FeedStatusBox
    let exporter: MetricsExporter
    let logger: Logger

    func run() async throws {
        await status.waitUntilBound()
        if Task.isCancelled { return }
        let router = Router()
        router.get("/health") { _, _ in
            Self.text(.ok, "ok\n")
        }
        router.get("/ready") { [status, feed] _, _ in
            Self.readiness(status, feed: feed)
        }
        router.get("/metrics") { [exporter] _, _ in
            let text = await exporter.scrape()
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        let logger = self.logger
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? 0
                // Tests and operators started with port 0 read the port from this line.
                logger.info("serving HTTP", metadata: ["http.listen": "\(HostPort(host: host, port: bound))"])
            },
            logger: logger)
        try await app.run()
    }

    /// 200 `ready`, or 503 with the reason, and the feed's last error while not synced.
    static func readiness(_ status: ServerStatus, feed: FeedStatusBox) -> Response {
        switch status.readiness {
        case .ready:
            return text(.ok, "ready\n")
        case .notReady(let reason):
            var body = "not ready: \(reason)"
            if !status.synced, let error = feed.status?.lastError {
                body += " (registry: \(error))"
            }
            return text(.serviceUnavailable, body + "\n")
        }
    }

    private static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
