import NIOCore
import Testing

@testable import DNSServer

@Suite("Upstream rotation")
struct UpstreamHealthTests {
    let start = NIODeadline.uptimeNanoseconds(5_000_000_000_000)

    @Test func aFailingUpstreamGoesLastAndComesBackAfterItsHoldDown() {
        var health = UpstreamHealth(count: 3)
        #expect(health.order(now: start) == [0, 1, 2])
        let firstFailure = health.failed(0, now: start)
        #expect(firstFailure)
        #expect(health.order(now: start + .milliseconds(500)) == [1, 2, 0])
        #expect(health.order(now: start + .milliseconds(1000)) == [0, 1, 2])
        // A second failure in a row doubles the hold-down; the sooner one back goes first.
        let again = health.failed(0, now: start + .seconds(1))
        let other = health.failed(1, now: start + .seconds(1))
        #expect(!again && other)
        #expect(health.order(now: start + .milliseconds(1500)) == [2, 1, 0])
        #expect(health.order(now: start + .milliseconds(2500)) == [1, 2, 0])
        let recovered = health.succeeded(0)
        let alreadyHealthy = health.succeeded(0)
        #expect(recovered && !alreadyHealthy)
        #expect(health.order(now: start + .milliseconds(1500)) == [0, 2, 1])
    }

    @Test func holdDownsStopGrowingAtThirtySeconds() {
        var health = UpstreamHealth(count: 2)
        for _ in 0..<20 { health.failed(0, now: start) }
        #expect(health.order(now: start + .milliseconds(29_999)) == [1, 0])
        #expect(health.order(now: start + .seconds(30)) == [0, 1])
    }
}
