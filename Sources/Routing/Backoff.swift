/// Exponential backoff with full jitter (a uniformly random wait up to `base · 2^attempt`, capped),
/// overridden by an upstream's `retry-after`, on an injected random source.
public struct Backoff: Sendable {
    public var baseMillis = 100
    public var capMillis = 2_000

    public init(baseMillis: Int = 100, capMillis: Int = 2_000) {
        self.baseMillis = baseMillis
        self.capMillis = capMillis
    }

    /// The wait before retry number `attempt` (0 for the first retry); `retryAfterMillis` wins when given.
    public func delayMillis(attempt: Int, retryAfterMillis: Int?, random: (ClosedRange<Int>) -> Int) -> Int {
        if let retryAfterMillis { return max(0, retryAfterMillis) }
        let ceiling = min(capMillis, baseMillis << min(attempt, 20))
        return random(0...max(0, ceiling))
    }

    /// Milliseconds from a `retry-after` value in delay-seconds (HTTP-dates are not honoured: too coarse to matter here).
    public static func retryAfterMillis(_ value: String?) -> Int? {
        guard let value, let seconds = Double(value), seconds >= 0, seconds < 86_400 else { return nil }
        return Int(seconds * 1000)
    }
}
