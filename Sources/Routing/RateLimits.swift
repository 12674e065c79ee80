import Core

/// rpm and tpm token buckets per provider and per deployment, shared by all event loops. A request takes
/// one request and its estimated tokens from every limit that covers the deployment, all or none; the
/// tokens are reconciled with the actual usage when it finishes.
public final class RateLimits: @unchecked Sendable {
    // Safety: `buckets` is only touched while holding `lock`.
    /// The limits covering one deployment: (bucket key, per-minute limit, counts tokens).
    public struct Scope: Sendable {
        public var limits: [(key: String, perMinute: Int, tokens: Bool)] = []
        public init() {}

        /// Adds `rpm`/`tpm` limits under `owner` (e.g. `provider:prv_1`) when set.
        public mutating func add(_ owner: String, rpm: Int?, tpm: Int?) {
            if let rpm { limits.append((owner + ":rpm", rpm, false)) }
            if let tpm { limits.append((owner + ":tpm", tpm, true)) }
        }
    }

    private let lock = Lock()
    private var buckets: [String: TokenBucket] = [:]
    public let clock: @Sendable () -> Int64

    public init(clock: @escaping @Sendable () -> Int64 = { Int64(Timestamp.monotonicNanos() / 1_000_000) }) {
        self.clock = clock
    }

    /// Takes one request and `tokens` from every limit in `scope`; nil when granted, otherwise the wait
    /// until the tightest limit could grant it (nothing is taken).
    public func acquire(_ scope: Scope, tokens: Int) -> Int? {
        guard !scope.limits.isEmpty else { return nil }
        let now = clock()
        return lock.withLock {
            var wait = 0
            for limit in scope.limits {
                let bucket = bucket(limit, now: now)
                let amount = limit.tokens ? Double(tokens) : 1
                wait = max(wait, bucket.millisUntil(amount, now: now))
            }
            guard wait == 0 else { return max(1, wait) }
            for limit in scope.limits {
                var bucket = bucket(limit, now: now)
                _ = bucket.take(limit.tokens ? Double(tokens) : 1, now: now)
                buckets[limit.key] = bucket
            }
            return nil
        }
    }

    /// The wait `acquire` would report, without taking anything (nil: it would be granted now).
    public func wouldAcquire(_ scope: Scope, tokens: Int) -> Int? {
        guard !scope.limits.isEmpty else { return nil }
        let now = clock()
        let wait = lock.withLock {
            scope.limits.map { bucket($0, now: now).millisUntil($0.tokens ? Double(tokens) : 1, now: now) }.max() ?? 0
        }
        return wait == 0 ? nil : wait
    }

    /// Reconciles the token limits once the actual count is known (`charged` is what `acquire` took).
    public func settle(_ scope: Scope, charged: Int, actual: Int) {
        guard charged != actual, scope.limits.contains(where: \.tokens) else { return }
        let now = clock()
        lock.withLock {
            for limit in scope.limits where limit.tokens {
                var bucket = bucket(limit, now: now)
                bucket.adjust(Double(charged - actual), now: now)
                buckets[limit.key] = bucket
            }
        }
    }

    /// What is left now of each limit in `scope`: (bucket key, limit per minute, available now).
    public func headroom(_ scope: Scope) -> [(key: String, perMinute: Int, available: Int)] {
        let now = clock()
        return lock.withLock {
            scope.limits.map { limit in
                (limit.key, limit.perMinute, max(0, Int(bucket(limit, now: now).available(now: now).rounded(.down))))
            }
        }
    }

    /// The bucket for `limit`, created full or resized to a changed limit.
    private func bucket(_ limit: (key: String, perMinute: Int, tokens: Bool), now: Int64) -> TokenBucket {
        guard var bucket = buckets[limit.key] else { return TokenBucket(perMinute: limit.perMinute, now: now) }
        if bucket.capacity != Double(limit.perMinute) { bucket.resize(perMinute: limit.perMinute, now: now) }
        return bucket
    }
}
