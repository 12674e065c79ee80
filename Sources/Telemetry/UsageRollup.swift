import Core

/// Bucket widths the usage rollups are kept at.
public enum RollupGranularity: Int64, Sendable, CaseIterable, Comparable {
    case minute = 60_000
    case hour = 3_600_000
    case day = 86_400_000

    public static func < (a: RollupGranularity, b: RollupGranularity) -> Bool { a.rawValue < b.rawValue }

    /// The name used by the usage API's `bucket` parameter.
    public var name: String {
        switch self {
        case .minute: "minute"
        case .hour: "hour"
        case .day: "day"
        }
    }

    public init?(name: String) {
        guard let found = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = found
    }

    /// The start of the bucket holding `millis` (UTC).
    public func floor(_ millis: Int64) -> Int64 { millis - ((millis % rawValue) + rawValue) % rawValue }
}

/// The dimensions one rollup row is kept for; unknown values are "".
public struct RollupKey: Hashable, Sendable {
    public var granularity: RollupGranularity
    public var bucketStart: Int64
    public var model: String
    public var provider: String
    public var deploymentID: String
    public var keyID: String
    public var team: String
    public var status: Int
}

/// Usage counters of one rollup row (or of any merge of them).
public struct UsageTotals: Sendable, Equatable {
    public var requests = 0
    public var errors = 0
    public var inputTokens = 0
    public var outputTokens = 0
    public var cachedTokens = 0
    public var cost = Picodollars.zero
    /// Requests served by an unpriced deployment, whose cost is unknown.
    public var unpriced = 0
    public var cacheHits = 0
    public var latency = LatencyHistogram()
    public var timeToFirstToken = LatencyHistogram()

    public init() {}

    /// Counts one logged request, read in place (see `withContiguousRows`).
    mutating func add(_ entry: UnsafePointer<RequestLogEntry>) {
        requests += 1
        if entry.pointee.status >= 400 { errors += 1 }
        inputTokens += entry.pointee.inputTokens ?? 0
        outputTokens += entry.pointee.outputTokens ?? 0
        cachedTokens += entry.pointee.cachedTokens ?? 0
        cost = cost + entry.pointee.cost
        if entry.pointee.unpriced { unpriced += 1 }
        if entry.pointee.cacheHit { cacheHits += 1 }
        latency.record(millis: entry.pointee.latencyMillis)
        if let ttft = entry.pointee.timeToFirstTokenMillis { timeToFirstToken.record(millis: ttft) }
    }

    /// Adds another row's counters.
    public mutating func merge(_ other: UsageTotals) {
        requests += other.requests
        errors += other.errors
        inputTokens += other.inputTokens
        outputTokens += other.outputTokens
        cachedTokens += other.cachedTokens
        cost = cost + other.cost
        unpriced += other.unpriced
        cacheHits += other.cacheHits
        latency.merge(other.latency)
        timeToFirstToken.merge(other.timeToFirstToken)
    }
}

/// Folds request-log rows into rollup cells, one batch at a time: per minute, hour and day, and at three
/// levels of detail so a query reads only as many rows as its grouping needs: every key (`key_id` and
/// `team` as logged; days only, since finer per-key cells would be nearly as many rows as the raw log),
/// per team (`key_id` = `*`), and overall (`key_id` = `team` = `*`).
public struct UsageRollup: Sendable {
    /// Stands for "all keys" or "all teams" in a coarser level's cells (never a real key id or team name).
    public static let all = "*"

    /// The batch's rows counted per minute at full detail; every other cell is derived from these.
    private var minuteCells: [RollupKey: UsageTotals] = [:]

    public init() {}

    /// Counts the row at `entry` in its minute cell, read in place (see `withContiguousRows`).
    mutating func add(_ entry: UnsafePointer<RequestLogEntry>) {
        let key = RollupKey(granularity: .minute, bucketStart: RollupGranularity.minute.floor(entry.pointee.createdAtMillis),
                            model: entry.pointee.model, provider: entry.pointee.provider ?? "", deploymentID: entry.pointee.deploymentID ?? "",
                            keyID: entry.pointee.keyID ?? "", team: entry.pointee.team ?? "", status: entry.pointee.status)
        minuteCells[key, default: UsageTotals()].add(entry)
    }

    /// Every cell the batch adds to: each minute cell, rolled up to its hour and day, at all three levels.
    public var cells: [RollupKey: UsageTotals] {
        var cells: [RollupKey: UsageTotals] = [:]
        cells.reserveCapacity(minuteCells.count * 7)  // per minute cell: minute, hour and day at two levels, day per key
        for (minute, totals) in minuteCells {
            for granularity in RollupGranularity.allCases {
                var key = minute
                key.granularity = granularity
                key.bucketStart = granularity.floor(minute.bucketStart)
                if granularity == .day { cells[key, default: UsageTotals()].merge(totals) }
                key.keyID = Self.all
                cells[key, default: UsageTotals()].merge(totals)
                key.team = Self.all
                cells[key, default: UsageTotals()].merge(totals)
            }
        }
        return cells
    }
}
