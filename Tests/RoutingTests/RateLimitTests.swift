import Core
import Routing
import Testing

@Suite struct TokenBucketTests {
    @Test func refillsContinuouslyAtTheLimitPerMinute() {
        var bucket = TokenBucket(perMinute: 60, now: 0)
        for _ in 0..<60 {
            let taken = bucket.take(1, now: 0)
            #expect(taken)
        }
        let empty = bucket.take(1, now: 0)
        #expect(!empty)
        #expect(bucket.millisUntil(1, now: 0) == 1_000)
        let later = bucket.take(1, now: 1_000)
        #expect(later)
    }

    @Test func adjustRefundsAndChargesAfterTheFact() {
        var bucket = TokenBucket(perMinute: 1_000, now: 0)
        _ = bucket.take(800, now: 0)
        bucket.adjust(300, now: 0)  // used 500, not 800
        #expect(bucket.tokens == 500)
        bucket.adjust(-900, now: 0)  // used far more than estimated: the bucket owes
        #expect(bucket.tokens == -400)
        #expect(bucket.millisUntil(100, now: 0) == 30_000)
    }

    @Test func resizingKeepsWhatWasSpent() {
        var bucket = TokenBucket(perMinute: 10, now: 0)
        _ = bucket.take(4, now: 0)
        bucket.resize(perMinute: 20, now: 0)
        #expect(bucket.capacity == 20 && bucket.tokens == 16)
    }
}

@Suite struct RateLimitsTests {
    final class Clock: @unchecked Sendable { var now: Int64 = 0 }

    @Test func grantsAllOrNothingAcrossProviderAndDeploymentLimits() {
        let clock = Clock()
        let limits = RateLimits(clock: { clock.now })
        var scope = RateLimits.Scope()
        scope.add("provider:p", rpm: 100, tpm: nil)
        scope.add("deployment:d", rpm: 2, tpm: 1_000)
        #expect(limits.acquire(scope, tokens: 400) == nil)
        #expect(limits.acquire(scope, tokens: 400) == nil)
        // The deployment's rpm (2) is spent: refused, and the provider's bucket is not charged for it.
        let wait = limits.acquire(scope, tokens: 100)
        #expect(wait == 30_000)
        var providerOnly = RateLimits.Scope()
        providerOnly.add("provider:p", rpm: 100, tpm: nil)
        for _ in 0..<98 { #expect(limits.acquire(providerOnly, tokens: 0) == nil) }
        #expect(limits.acquire(providerOnly, tokens: 0) != nil)
    }

    @Test func tokensAreReconciledWithActualUsage() {
        let clock = Clock()
        let limits = RateLimits(clock: { clock.now })
        var scope = RateLimits.Scope()
        scope.add("deployment:d", rpm: nil, tpm: 1_000)
        #expect(limits.acquire(scope, tokens: 900) == nil)
        #expect(limits.acquire(scope, tokens: 900) != nil)
        limits.settle(scope, charged: 900, actual: 100)
        #expect(limits.acquire(scope, tokens: 900) == nil)
    }

    @Test func noLimitsMeansNoBookkeeping() {
        #expect(RateLimits().acquire(RateLimits.Scope(), tokens: 1_000_000) == nil)
    }
}

@Suite struct SessionAffinityTests {
    final class Clock: @unchecked Sendable { var now: Int64 = 0 }

    @Test func pinsExpireAfterTheirTTL() {
        let clock = Clock()
        let affinity = SessionAffinity(clock: { clock.now })
        affinity.pin(route: "r", session: "alice", to: "d1", ttlMillis: 1_000)
        #expect(affinity.pinned(route: "r", session: "alice") == "d1")
        #expect(affinity.pinned(route: "other", session: "alice") == nil)
        clock.now = 1_000
        #expect(affinity.pinned(route: "r", session: "alice") == nil)
    }

    @Test func staysBoundedDroppingExpiredThenOldestPins() {
        let clock = Clock()
        let affinity = SessionAffinity(capacity: 10, clock: { clock.now })
        for index in 0..<10 {
            clock.now = Int64(index)
            affinity.pin(route: "r", session: "s\(index)", to: "d", ttlMillis: 1_000_000)
        }
        affinity.pin(route: "r", session: "new", to: "d", ttlMillis: 1_000_000)
        #expect(affinity.count == 10)
        #expect(affinity.pinned(route: "r", session: "s0") == nil && affinity.pinned(route: "r", session: "s9") == "d")
    }
}

@Suite struct QuotaSignalTests {
    @Test func readsOpenAIAndAnthropicQuotaHeaders() {
        let openAI = QuotaSignal.read(nowMillis: 0, [("x-ratelimit-limit-requests", "100"), ("x-ratelimit-remaining-requests", "3"),
                                                     ("x-ratelimit-reset-requests", "6m0s")])
        #expect(openAI == QuotaSignal(low: true, resetMillis: 360_000))
        let plenty = QuotaSignal.read(nowMillis: 0, [("x-ratelimit-limit-tokens", "1000"), ("x-ratelimit-remaining-tokens", "900")])
        #expect(plenty == nil)
        let anthropic = QuotaSignal.read(nowMillis: 1_763_776_800_000, [
            ("anthropic-ratelimit-tokens-limit", "80000"), ("anthropic-ratelimit-tokens-remaining", "100"),
            ("anthropic-ratelimit-tokens-reset", "2025-11-22T02:00:20Z")])
        #expect(anthropic == QuotaSignal(low: true, resetMillis: 20_000))
        #expect(QuotaSignal.read(nowMillis: 0, [("content-type", "application/json")]) == nil)
    }

    @Test func goDurations() {
        #expect(QuotaSignal.durationMillis("1s") == 1_000)
        #expect(QuotaSignal.durationMillis("250ms") == 250)
        #expect(QuotaSignal.durationMillis("1h2m3.5s") == 3_723_500)
        #expect(QuotaSignal.durationMillis("soon") == nil)
        #expect(QuotaSignal.durationMillis("") == nil)
    }
}
