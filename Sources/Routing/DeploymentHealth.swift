import Core

/// What happened to one attempt on a deployment, as the health registry counts it.
public enum AttemptOutcome: Sendable, Equatable {
    case success
    /// Connection errors, timeouts, 5xx, overloaded, a stream cut short: count against the breaker.
    case failure(reason: String)
    /// 429: counts as a failure; with `retry-after` the deployment also rests exactly that long.
    case rateLimited(retryAfterMillis: Int?)
    /// 401/403 or an invalid key: the deployment is disabled until its provider's configuration changes.
    case authFailure(reason: String)
    /// Cancelled because another attempt answered first (hedging): says nothing about the deployment.
    case abandoned
}

/// Circuit breakers and disable reasons for every deployment, shared by all event loops. Decisions take
/// a lock for a few field updates only; all timing comes from the injected clock.
public final class DeploymentHealth: @unchecked Sendable {
    // Safety: `entries` is only touched while holding `lock`.
    public struct Entry: Sendable {
        public var breaker: CircuitBreaker
        /// Why the deployment is out of service, with the provider fingerprint it was judged under.
        public var disabled: (reason: String, fingerprint: String)?
        /// No new attempt before this time (a provider's `retry-after`).
        public var restingUntil: Int64 = 0
        public var lastError: (message: String, atMillis: Int64)?
        public var inFlight = 0
        /// Exponentially weighted moving average of successful attempts' latency.
        public var latencyMillis: Double?
        /// The provider said its quota is nearly spent: the deployment goes last in its group until then.
        public var lowQuotaUntil: Int64 = 0
        /// Outcomes, latency and TTFT of the last five minutes.
        public var recent = RecentOutcomes()

        /// The circuit state as reports show it at `now`: an open breaker whose cool-down is over is half-open.
        public func circuitName(now: Int64) -> String {
            if case .open(let until) = breaker.state, now >= until { return "half_open" }
            return breaker.state.name
        }
    }

    private let lock = Lock()
    private var entries: [String: Entry] = [:]
    private let settings: CircuitBreaker.Settings
    public let clock: @Sendable () -> Int64

    public init(settings: CircuitBreaker.Settings = .init(), clock: @escaping @Sendable () -> Int64 = { Int64(Timestamp.monotonicNanos() / 1_000_000) }) {
        self.settings = settings
        self.clock = clock
    }

    /// True when the deployment may be tried now; takes a half-open probe slot when it does.
    public func admit(_ deploymentID: String, fingerprint: String) -> Bool {
        let now = clock()
        return lock.withLock {
            Self.admit(&entries[deploymentID, default: Entry(breaker: CircuitBreaker(settings: settings))], now: now, fingerprint: fingerprint)
        }
    }

    private static func admit(_ entry: inout Entry, now: Int64, fingerprint: String) -> Bool {
        if let disabled = entry.disabled {
            guard disabled.fingerprint != fingerprint else { return false }
            entry.disabled = nil  // the provider's configuration changed: give it another chance
        }
        guard now >= entry.restingUntil, entry.breaker.admit(now: now) else { return false }
        entry.inFlight += 1
        return true
    }

    /// Whether `admit` would let the deployment be tried `afterMillis` from now (no probe slot is taken).
    public func wouldAdmit(_ deploymentID: String, fingerprint: String, afterMillis: Int = 0) -> Bool {
        let then = clock() + Int64(afterMillis)
        return lock.withLock {
            guard let entry = entries[deploymentID] else { return true }
            if let disabled = entry.disabled, disabled.fingerprint == fingerprint { return false }
            return then >= entry.restingUntil && entry.breaker.wouldAdmit(now: then)
        }
    }

    /// How much a new latency sample moves the average.
    public static let latencyWeight = 0.3

    /// Records how an admitted attempt ended; `ttftMillis` is the time to its first byte or token.
    public func record(_ deploymentID: String, fingerprint: String, _ outcome: AttemptOutcome, latencyMillis: Int? = nil, ttftMillis: Int? = nil) {
        let now = clock()
        lock.withLock {
            // Updated in place: copying the entry out and back would copy its histograms on every attempt.
            Self.update(&entries[deploymentID, default: Entry(breaker: CircuitBreaker(settings: settings))], outcome, now: now,
                        fingerprint: fingerprint, latencyMillis: latencyMillis, ttftMillis: ttftMillis)
        }
    }

    private static func update(_ entry: inout Entry, _ outcome: AttemptOutcome, now: Int64, fingerprint: String, latencyMillis: Int?,
                               ttftMillis: Int?) {
        entry.inFlight = max(0, entry.inFlight - 1)
        switch outcome {
        case .success:
            entry.breaker.record(success: true, now: now)
            if let latencyMillis {
                let sample = Double(latencyMillis)
                entry.latencyMillis = entry.latencyMillis.map { $0 + latencyWeight * (sample - $0) } ?? sample
            }
        case .failure(let reason):
            entry.breaker.record(success: false, now: now)
            entry.lastError = (reason, now)
        case .rateLimited(let retryAfter):
            entry.breaker.record(success: false, now: now)
            entry.lastError = ("rate limited (429)", now)
            if let retryAfter { entry.restingUntil = max(entry.restingUntil, now + Int64(retryAfter)) }
        case .authFailure(let reason):
            entry.disabled = (reason, fingerprint)
            entry.lastError = (reason, now)
        case .abandoned:
            entry.breaker.releaseProbe()
            return
        }
        entry.recent.record(now: now, success: outcome == .success, latencyMillis: latencyMillis, ttftMillis: ttftMillis)
    }

    /// Notes a provider's low-quota signal for the deployment, for `forMillis` from now.
    public func noteLowQuota(_ deploymentID: String, forMillis: Int) {
        let now = clock()
        lock.withLock {
            var entry = entries[deploymentID] ?? Entry(breaker: CircuitBreaker(settings: settings))
            entry.lowQuotaUntil = max(entry.lowQuotaUntil, now + Int64(forMillis))
            entries[deploymentID] = entry
        }
    }

    /// The deployments among `ids` whose quota is low now.
    public func lowQuota(_ ids: [String]) -> Set<String> {
        let now = clock()
        return lock.withLock { Set(ids.filter { (entries[$0]?.lowQuotaUntil ?? 0) > now }) }
    }

    /// A copy of every deployment's state, for health reports.
    public func allEntries() -> [String: Entry] {
        lock.withLock { entries }
    }

    /// A copy of one deployment's state, for health reports.
    public func entry(_ deploymentID: String) -> Entry? {
        lock.withLock { entries[deploymentID] }
    }
}
