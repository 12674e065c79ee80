import Routing
import Testing

/// Every transition of the breaker on an injected clock.
@Suite struct CircuitBreakerTests {
    var settings: CircuitBreaker.Settings {
        var s = CircuitBreaker.Settings()
        s.windowMillis = 10_000
        s.buckets = 10
        s.minimumRequests = 4
        s.failureRate = 0.5
        s.baseCooldownMillis = 1_000
        s.maxCooldownMillis = 4_000
        s.probes = 1
        return s
    }

    @Test func staysClosedBelowTheMinimumRequestCount() {
        var breaker = CircuitBreaker(settings: settings)
        for t in 0..<3 { breaker.record(success: false, now: Int64(t)) }
        #expect(breaker.state == .closed)
        let admitted = breaker.admit(now: 3)
        #expect(admitted)
    }

    @Test func opensWhenTheFailureRateExceedsTheThreshold() {
        var breaker = CircuitBreaker(settings: settings)
        breaker.record(success: true, now: 0)
        breaker.record(success: false, now: 1)
        breaker.record(success: true, now: 2)
        breaker.record(success: false, now: 3)
        #expect(breaker.state == .closed, "2 of 4 is not over 50 %")
        breaker.record(success: false, now: 4)
        #expect(breaker.state == .open(until: 1_004))
        let early = breaker.admit(now: 1_003)
        #expect(!early)
    }

    @Test func oldOutcomesLeaveTheWindow() {
        var breaker = CircuitBreaker(settings: settings)
        for t in 0..<3 { breaker.record(success: false, now: Int64(t)) }
        // 11 s later the three failures are outside the 10 s window: one more failure is 1 of 1, under the minimum.
        breaker.record(success: false, now: 11_000)
        #expect(breaker.state == .closed)
        #expect(breaker.totals(now: 11_000) == (0, 1))
    }

    @Test func halfOpenAdmitsOneProbeThenClosesOnSuccess() {
        var breaker = CircuitBreaker(settings: settings)
        breaker.trip(now: 0)
        let probe = breaker.admit(now: 1_000)
        #expect(probe && breaker.state == .halfOpen(inFlight: 1))
        let second = breaker.admit(now: 1_001)
        #expect(!second, "only one probe at a time")
        breaker.record(success: true, now: 1_200)
        #expect(breaker.state == .closed && breaker.consecutiveTrips == 0)
    }

    @Test func aFailedProbeReopensWithADoubledCooldownUpToTheCap() {
        var breaker = CircuitBreaker(settings: settings)
        breaker.trip(now: 0)
        #expect(breaker.state == .open(until: 1_000))
        _ = breaker.admit(now: 1_000)
        breaker.record(success: false, now: 1_000)
        #expect(breaker.state == .open(until: 3_000))
        _ = breaker.admit(now: 3_000)
        breaker.record(success: false, now: 3_000)
        #expect(breaker.state == .open(until: 7_000))
        _ = breaker.admit(now: 7_000)
        breaker.record(success: false, now: 7_000)
        #expect(breaker.state == .open(until: 11_000), "capped at 4 s")
    }

    @Test func wouldAdmitDoesNotTakeAProbe() {
        var breaker = CircuitBreaker(settings: settings)
        breaker.trip(now: 0)
        #expect(!breaker.wouldAdmit(now: 999) && breaker.wouldAdmit(now: 1_000))
        #expect(breaker.state == .open(until: 1_000))
    }
}

@Suite struct BackoffTests {
    @Test func fullJitterStaysUnderTheDoublingCeilingAndTheCap() {
        let backoff = Backoff(baseMillis: 100, capMillis: 1_000)
        var ceilings: [Int] = []
        for attempt in 0..<6 {
            _ = backoff.delayMillis(attempt: attempt, retryAfterMillis: nil) { range in ceilings.append(range.upperBound); return range.lowerBound }
        }
        #expect(ceilings == [100, 200, 400, 800, 1_000, 1_000])
        #expect(backoff.delayMillis(attempt: 2, retryAfterMillis: nil) { $0.upperBound } == 400)
    }

    @Test func retryAfterWins() {
        #expect(Backoff().delayMillis(attempt: 0, retryAfterMillis: 1_500) { _ in 7 } == 1_500)
        #expect(Backoff.retryAfterMillis("2") == 2_000)
        #expect(Backoff.retryAfterMillis("0.5") == 500)
        #expect(Backoff.retryAfterMillis("Wed, 21 Oct 2015 07:28:00 GMT") == nil)
        #expect(Backoff.retryAfterMillis("-1") == nil)
    }
}

@Suite struct DeploymentHealthTests {
    final class Clock: @unchecked Sendable {
        var now: Int64 = 0
    }

    @Test func authFailuresDisableUntilTheProviderChanges() {
        let clock = Clock()
        let health = DeploymentHealth(clock: { clock.now })
        #expect(health.admit("d1", fingerprint: "a"))
        health.record("d1", fingerprint: "a", .authFailure(reason: "provider rejected the key (HTTP 401)"))
        #expect(!health.admit("d1", fingerprint: "a"))
        #expect(health.entry("d1")?.disabled?.reason == "provider rejected the key (HTTP 401)")
        #expect(health.admit("d1", fingerprint: "b"), "a new key clears it")
        #expect(health.entry("d1")?.disabled == nil)
    }

    @Test func retryAfterRestsTheDeploymentForExactlyThatLong() {
        let clock = Clock()
        let health = DeploymentHealth(clock: { clock.now })
        _ = health.admit("d1", fingerprint: "a")
        health.record("d1", fingerprint: "a", .rateLimited(retryAfterMillis: 2_000))
        clock.now = 1_999
        #expect(!health.admit("d1", fingerprint: "a"))
        clock.now = 2_000
        #expect(health.admit("d1", fingerprint: "a"))
    }

    @Test func failuresTripTheBreakerAndAProbeRestoresIt() {
        let clock = Clock()
        let health = DeploymentHealth(clock: { clock.now })
        for _ in 0..<5 {
            _ = health.admit("d1", fingerprint: "a")
            health.record("d1", fingerprint: "a", .failure(reason: "HTTP 500"))
        }
        #expect(health.entry("d1")?.breaker.state.name == "open")
        #expect(!health.admit("d1", fingerprint: "a"))
        clock.now = 5_000
        #expect(health.admit("d1", fingerprint: "a"))
        health.record("d1", fingerprint: "a", .success)
        #expect(health.entry("d1")?.breaker.state == .closed && health.entry("d1")?.inFlight == 0)
    }
}
