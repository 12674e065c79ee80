import Core
import Store

/// A dimension usage can be grouped or filtered by.
public enum UsageDimension: String, Sendable, CaseIterable {
    case model, provider, deployment, key, team, status

    /// The rollup column holding it.
    var column: String {
        switch self {
        case .deployment: "deployment_id"
        case .key: "key_id"
        default: rawValue
        }
    }
}

/// `GET /admin/v1/usage`: a time range, optional grouping, optional time buckets and filters.
public struct UsageQuery: Sendable {
    public var fromMillis: Int64
    public var toMillis: Int64
    public var groupBy: [UsageDimension]
    public var bucket: RollupGranularity?
    public var filters: [UsageDimension: String]

    public init(fromMillis: Int64, toMillis: Int64, groupBy: [UsageDimension] = [], bucket: RollupGranularity? = nil,
                filters: [UsageDimension: String] = [:]) {
        self.fromMillis = fromMillis
        self.toMillis = toMillis
        self.groupBy = groupBy
        self.bucket = bucket
        self.filters = filters
    }

    /// The range actually covered: with a bucket, widened to whole buckets; without, to whole minutes
    /// (rollups are the finest record usage is answered from), or whole days when grouped or filtered by key
    /// (per-key rollups are kept by the day).
    public var coveredRange: (from: Int64, to: Int64) {
        let finest: RollupGranularity = groupBy.contains(.key) || filters[.key] != nil ? .day : .minute
        let unit = max(bucket ?? finest, finest)
        let to = unit.floor(toMillis) == toMillis ? toMillis : unit.floor(toMillis) + unit.rawValue
        return (unit.floor(fromMillis), to)
    }

    /// Splits `[from, to)` into spans each answered from the coarsest rollup that tiles it: whole days in the
    /// middle from day rows, hours next to them, minutes at the ends; no span is coarser than `coarsest`.
    public static func spans(from: Int64, to: Int64, coarsest: RollupGranularity) -> [(RollupGranularity, Int64, Int64)] {
        guard from < to else { return [] }
        for granularity in RollupGranularity.allCases.reversed() where granularity <= coarsest {
            let start = granularity.floor(from) == from ? from : granularity.floor(from) + granularity.rawValue
            let end = granularity.floor(to)
            guard start < end else { continue }
            return spans(from: from, to: start, coarsest: granularity) + [(granularity, start, end)]
                + spans(from: end, to: to, coarsest: granularity)
        }
        return []  // shorter than a minute: the range was not minute-aligned (coveredRange prevents it)
    }
}

/// One row of a usage answer: the group's values, the bucket start when bucketed, and the totals.
public struct UsageRow: Sendable {
    public var group: [UsageDimension: String]
    public var bucketStart: Int64?
    public var totals: UsageTotals
}

extension RequestLogRepository {
    /// Answers a usage query from the rollups: SQLite groups and sums each span (histograms merged by
    /// `hist_merge`), and spans of different granularity are merged here. Returns the range covered.
    public func usage(_ query: UsageQuery) throws -> (rows: [UsageRow], from: Int64, to: Int64) {
        var (from, to) = query.coveredRange
        // Minute rollups are kept only as long as raw rows: an edge older than the oldest one widens to the hour.
        let oldestMinute = try connection.query("SELECT min(bucket_start) FROM usage_rollups WHERE granularity = ?",
                                                [RollupGranularity.minute.rawValue]).first?[0].int64 ?? Int64.max
        let hour = RollupGranularity.hour
        if from < oldestMinute { from = hour.floor(from) }
        if to < oldestMinute && hour.floor(to) != to { to = hour.floor(to) + hour.rawValue }
        let groupColumns = query.groupBy.map(\.column)
        var selected = groupColumns
        if query.bucket != nil { selected.append("bucket_start - bucket_start % ?") }
        var conditions = ["granularity = ?", "bucket_start >= ?", "bucket_start < ?"]
        // The least detailed level that still has the dimensions asked for (see `UsageRollup`).
        let dimensions = Set(query.groupBy).union(query.filters.keys)
        let all = "'\(UsageRollup.all)'"
        if dimensions.contains(.key) {
            conditions.append("key_id != \(all)")
        } else if dimensions.contains(.team) {
            conditions += ["key_id = \(all)", "team != \(all)"]
        } else {
            conditions += ["key_id = \(all)", "team = \(all)"]
        }
        var filterBindings: [SQLBindable] = []
        for (dimension, value) in query.filters.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            conditions.append("\(dimension.column) = ?")
            filterBindings.append(dimension == .status ? SQLValue.integer(Int64(value) ?? -1) : SQLValue.text(value))
        }
        let grouping = selected.isEmpty ? "" : "GROUP BY " + (1...selected.count).map(String.init).joined(separator: ", ")
        let sql = """
            SELECT \((selected + ["SUM(requests)", "SUM(errors)", "SUM(input_tokens)", "SUM(output_tokens)", "SUM(cached_tokens)",
                                  "SUM(cost_pusd)", "SUM(unpriced)", "SUM(cache_hits)", "hist_merge(latency_hist)",
                                  "hist_merge(ttft_hist)"]).joined(separator: ", "))
            FROM usage_rollups WHERE \(conditions.joined(separator: " AND ")) \(grouping)
            """
        var merged: [[String]: UsageRow] = [:]
        var order: [[String]] = []
        let coarsest = query.bucket ?? .day
        for (granularity, start, end) in UsageQuery.spans(from: from, to: to, coarsest: coarsest) {
            var bindings: [SQLBindable] = []
            if let bucket = query.bucket { bindings.append(bucket.rawValue) }
            bindings += [granularity.rawValue, start, end] as [SQLBindable]
            bindings += filterBindings
            for row in try connection.query(sql, bindings) {
                var group: [UsageDimension: String] = [:]
                for (index, dimension) in query.groupBy.enumerated() {
                    group[dimension] = row[index].string ?? row[index].int64.map { String($0) } ?? ""
                }
                let bucketStart = query.bucket == nil ? nil : row[groupColumns.count].int64
                let base = selected.count
                guard let requests = row[base].int, requests > 0 else { continue }
                var totals = UsageTotals()
                totals.requests = requests
                totals.errors = row[base + 1].int ?? 0
                totals.inputTokens = row[base + 2].int ?? 0
                totals.outputTokens = row[base + 3].int ?? 0
                totals.cachedTokens = row[base + 4].int ?? 0
                totals.cost = Picodollars(row[base + 5].int64 ?? 0)
                totals.unpriced = row[base + 6].int ?? 0
                totals.cacheHits = row[base + 7].int ?? 0
                if case .blob(let bytes) = row[base + 8] { totals.latency = LatencyHistogram(encoded: bytes) }
                if case .blob(let bytes) = row[base + 9] { totals.timeToFirstToken = LatencyHistogram(encoded: bytes) }
                let identity = query.groupBy.map { group[$0] ?? "" } + [bucketStart.map { String($0) } ?? ""]
                if merged[identity] == nil {
                    order.append(identity)
                    merged[identity] = UsageRow(group: group, bucketStart: bucketStart, totals: totals)
                } else {
                    merged[identity]?.totals.merge(totals)
                }
            }
        }
        let rows = order.compactMap { merged[$0] }.sorted { a, b in
            if a.bucketStart != b.bucketStart { return (a.bucketStart ?? 0) < (b.bucketStart ?? 0) }
            return a.totals.cost != b.totals.cost ? a.totals.cost > b.totals.cost : a.totals.requests > b.totals.requests
        }
        return (rows, from, to)
    }

    /// What a key (`team` nil), a team (`key` nil) or the whole gateway (both nil) has spent since `startMillis`
    /// (a UTC day boundary), from the day rollups: per-key rows for a key, per-team rows for a team, overall rows.
    public func spent(key: String?, team: String?, since startMillis: Int64) throws -> Picodollars {
        let all = UsageRollup.all
        let level = key != nil ? "key_id = ?" : team != nil ? "key_id = '\(all)' AND team = ?" : "key_id = '\(all)' AND team = '\(all)' AND ? = ''"
        let rows = try connection.query("""
            SELECT SUM(cost_pusd) FROM usage_rollups WHERE granularity = ? AND bucket_start >= ? AND \(level)
            """, [RollupGranularity.day.rawValue, startMillis, key ?? team ?? ""])
        return Picodollars(rows.first?[0].int64 ?? 0)
    }
}
