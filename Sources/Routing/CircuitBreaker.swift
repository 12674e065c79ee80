/// A deployment's circuit breaker on an injected clock (milliseconds). Closed: traffic flows and outcomes
/// are counted in a sliding window; it opens when the failure rate over the window exceeds the threshold
/// with at least `minimumRequests` seen. Open: nothing is admitted until the cool-down ends; each trip
/// in a row doubles the cool-down up to a cap. Half-open: up to `probes` requests are admitted; a success
/// closes the breaker, a failure opens it again.
public struct CircuitBreaker: Sendable, Equatable {
    public struct Settings: Sendable, Equatable {
        public var windowMillis: Int64 = 30_000
        public var buckets = 10
        public var minimumRequests = 5
        public var failureRate = 0.5
        public var baseCooldownMillis: Int64 = 5_000
        public var maxCooldownMillis: Int64 = 60_000
        public var probes = 1
        public init() {}
    }

    public enum State: Sendable, Equatable {
        case closed
        case open(until: Int64)
        case halfOpen(inFlight: Int)

        /// The name shown in health reports.
        public var name: String {
            switch self {
            case .closed: return "closed"
            case .open: return "open"
            case .halfOpen: return "half_open"
            }
        }
    }

    public let settings: Settings
    public private(set) var state = State.closed
    /// Trips since the breaker last closed; sets the next cool-down.
    public private(set) var consecutiveTrips = 0
    /// Per time bucket: its start, successes and failures.
    private var window: [(start: Int64, successes: Int, failures: Int)] = []

    public init(settings: Settings = Settings()) { self.settings = settings }

    public static func == (a: CircuitBreaker, b: CircuitBreaker) -> Bool { a.state == b.state && a.consecutiveTrips == b.consecutiveTrips }

    /// Whether a request may go to this deployment now; in half-open, admitting one takes a probe slot.
    public mutating func admit(now: Int64) -> Bool {
        switch state {
        case .closed:
            return true
        case .open(let until):
            guard now >= until else { return false }
            state = .halfOpen(inFlight: 1)
            return true
        case .halfOpen(let inFlight):
            guard inFlight < settings.probes else { return false }
            state = .halfOpen(inFlight: inFlight + 1)
            return true
        }
    }

    /// Whether `admit` would say yes, without taking a probe slot (for ordering candidates).
    public func wouldAdmit(now: Int64) -> Bool {
        switch state {
        case .closed: return true
        case .open(let until): return now >= until
        case .halfOpen(let inFlight): return inFlight < settings.probes
        }
    }

    /// Records the outcome of an admitted request.
    public mutating func record(success: Bool, now: Int64) {
        switch state {
        case .halfOpen:
            if success {
                state = .closed
                consecutiveTrips = 0
                window.removeAll()
            } else {
                trip(now: now)
            }
        case .open:
            break  // an answer from before the trip: the cool-down stands
        case .closed:
            count(success: success, now: now)
            let (successes, failures) = totals(now: now)
            let total = successes + failures
            if total >= settings.minimumRequests && Double(failures) / Double(total) > settings.failureRate { trip(now: now) }
        }
    }

    /// Gives back a half-open probe slot whose request was cancelled before it answered.
    public mutating func releaseProbe() {
        if case .halfOpen(let inFlight) = state { state = .halfOpen(inFlight: max(0, inFlight - 1)) }
    }

    /// Opens the breaker now (also used for failures that must stop traffic at once).
    public mutating func trip(now: Int64) {
        consecutiveTrips += 1
        let cooldown = min(settings.maxCooldownMillis, settings.baseCooldownMillis << Int64(min(consecutiveTrips - 1, 20)))
        state = .open(until: now + cooldown)
        window.removeAll()
    }

    /// Successes and failures inside the window ending at `now`.
    public func totals(now: Int64) -> (successes: Int, failures: Int) {
        let horizon = now - settings.windowMillis
        var successes = 0, failures = 0
        for bucket in window where bucket.start > horizon {
            successes += bucket.successes
            failures += bucket.failures
        }
        return (successes, failures)
    }

    private mutating func count(success: Bool, now: Int64) {
        let width = max(1, settings.windowMillis / Int64(settings.buckets))
        let start = now - now % width
        window.removeAll { $0.start <= now - settings.windowMillis }
        if window.last?.start != start { window.append((start, 0, 0)) }
        if success { window[window.count - 1].successes += 1 } else { window[window.count - 1].failures += 1 }
    }
}
