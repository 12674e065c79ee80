import Core
import Routing
import Testing

@Suite("Five-minute health window")
struct RecentOutcomesTests {
    final class Clock: @unchecked Sendable { var now: Int64 = 0 }

    @Test("counts and percentiles cover the last five minutes and forget older slots")
    func window() {
        var recent = RecentOutcomes()
        for index in 0..<100 { recent.record(now: 1_000, success: index % 10 != 0, latencyMillis: index + 1, ttftMillis: 5) }
        var summary = recent.summary(now: 2_000)
        #expect(summary.successes == 90 && summary.failures == 10)
        #expect(summary.latency.quantile(0.5)! >= 50 && summary.latency.quantile(0.5)! <= 60)
        #expect(summary.timeToFirstToken.total == 100)
        recent.record(now: 4 * 60_000 + 1, success: true, latencyMillis: 1_000, ttftMillis: nil)
        summary = recent.summary(now: 4 * 60_000 + 2)
        #expect(summary.successes == 91)
        summary = recent.summary(now: 5 * 60_000 + 1)  // the first minute left the window
        #expect(summary.successes == 1 && summary.failures == 0)
        recent.record(now: 5 * 60_000 + 5, success: false, latencyMillis: nil, ttftMillis: nil)  // reuses the first slot
        summary = recent.summary(now: 5 * 60_000 + 6)
        #expect(summary.failures == 1 && summary.latency.total == 1)
    }

    @Test("the health registry feeds the window and rate-limit headroom reports what is left")
    func registryAndHeadroom() {
        let clock = Clock()
        let health = DeploymentHealth(clock: { clock.now })
        #expect(health.admit("d", fingerprint: "f"))
        health.record("d", fingerprint: "f", AttemptOutcome.success, latencyMillis: 40, ttftMillis: 12)
        let summary = health.entry("d")!.recent.summary(now: clock.now)
        #expect(summary.successes == 1 && summary.timeToFirstToken.quantile(0.5)! >= 12)
        let limits = RateLimits(clock: { clock.now })
        var scope = RateLimits.Scope()
        scope.add("deployment:d", rpm: 10, tpm: 1_000)
        #expect(limits.acquire(scope, tokens: 300) == nil)
        let headroom = limits.headroom(scope)
        #expect(headroom.map { $0.available } == [9, 700])
        clock.now += 6_000  // a tenth of a minute refills a tenth of each limit
        #expect(limits.headroom(scope).map { $0.available } == [10, 800])
    }
}
