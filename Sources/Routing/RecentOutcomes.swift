import Core

/// A deployment's last five minutes: outcomes and latency/TTFT histograms in one-minute slots that are
/// reused as time moves on, so health percentiles come from merged counts and memory stays fixed.
public struct RecentOutcomes: Sendable {
    public static let slotMillis: Int64 = 60_000
    public static let slotCount = 5

    private var slotStarts = [Int64](repeating: .min, count: slotCount)
    private var latency = [LatencyHistogram](repeating: LatencyHistogram(), count: slotCount)
    private var timeToFirstToken = [LatencyHistogram](repeating: LatencyHistogram(), count: slotCount)
    private var successes = [Int](repeating: 0, count: slotCount)
    private var failures = [Int](repeating: 0, count: slotCount)

    public init() {}

    /// The merged view of the slots inside the window ending at `now`.
    public struct Summary: Sendable {
        public var successes = 0
        public var failures = 0
        public var latency = LatencyHistogram()
        public var timeToFirstToken = LatencyHistogram()

        public init() {}

        /// Adds another summary (several deployments of one provider).
        public mutating func merge(_ other: Summary) {
            successes += other.successes
            failures += other.failures
            latency.merge(other.latency)
            timeToFirstToken.merge(other.timeToFirstToken)
        }
    }

    /// Counts one finished attempt at `now` (clock milliseconds).
    public mutating func record(now: Int64, success: Bool, latencyMillis: Int?, ttftMillis: Int?) {
        let start = now - ((now % Self.slotMillis) + Self.slotMillis) % Self.slotMillis
        let index = Int((start / Self.slotMillis) % Int64(Self.slotCount) + Int64(Self.slotCount)) % Self.slotCount
        if slotStarts[index] != start {
            slotStarts[index] = start
            latency[index] = LatencyHistogram()
            timeToFirstToken[index] = LatencyHistogram()
            successes[index] = 0
            failures[index] = 0
        }
        if success { successes[index] += 1 } else { failures[index] += 1 }
        if let latencyMillis { latency[index].record(millis: latencyMillis) }
        if let ttftMillis { timeToFirstToken[index].record(millis: ttftMillis) }
    }

    /// Everything recorded in the last five minutes before `now`.
    public func summary(now: Int64) -> Summary {
        var summary = Summary()
        for index in 0..<Self.slotCount where slotStarts[index] != .min && slotStarts[index] > now - Int64(Self.slotCount) * Self.slotMillis {
            summary.successes += successes[index]
            summary.failures += failures[index]
            summary.latency.merge(latency[index])
            summary.timeToFirstToken.merge(timeToFirstToken[index])
        }
        return summary
    }
}
