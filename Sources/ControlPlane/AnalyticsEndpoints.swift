import Core
import HTTPKit
import Store
import Telemetry

/// `GET /admin/v1/usage` (answered from the rollups) and `GET /admin/v1/requests` (the raw log).
struct AnalyticsEndpoints {
    let database: Database

    /// The most buckets one usage answer may hold (a minute bucket over a year would be half a million).
    static let maxBuckets = 20_000
    static let defaultRangeMillis: Int64 = 86_400_000

    func usage(_ request: HTTPRequest) throws -> HTTPResponse {
        let query = request.query
        let now = Timestamp.nowMillis()
        let to = try Self.time(query, "to") ?? now
        let from = try Self.time(query, "from") ?? to - Self.defaultRangeMillis
        guard from < to else { throw AdminError(400, "from must be before to", field: "from") }
        var bucket: RollupGranularity?
        if let name = query["bucket"], !name.isEmpty {
            guard let granularity = RollupGranularity(name: name) else {
                throw AdminError(400, "bucket must be one of minute, hour, day", field: "bucket")
            }
            guard (to - from) / granularity.rawValue <= Int64(Self.maxBuckets) else {
                throw AdminError(400, "the range holds more than \(Self.maxBuckets) \(name) buckets; use a coarser bucket", field: "bucket")
            }
            bucket = granularity
        }
        var groupBy: [UsageDimension] = []
        for name in (query["group_by"] ?? "").split(separator: ",").map({ String($0).trimmed }) where !name.isEmpty {
            guard let dimension = UsageDimension(rawValue: name) else {
                throw AdminError(400, "group_by takes model, provider, deployment, key, team, status; not '\(name)'", field: "group_by")
            }
            if !groupBy.contains(dimension) { groupBy.append(dimension) }
        }
        var filters: [UsageDimension: String] = [:]
        for dimension in UsageDimension.allCases {
            guard let value = query[dimension.rawValue] else { continue }
            if dimension == .status && Int(value) == nil { throw AdminError(400, "status must be an HTTP status code", field: "status") }
            filters[dimension] = value
        }
        if let bucket, bucket != .day, groupBy.contains(.key) || filters[.key] != nil {
            throw AdminError(400, "usage per key is kept by the day: use bucket=day (or none)", field: "bucket")
        }
        let (limit, cursor) = try Pagination.read(query)
        let offset = try cursor.map { text -> Int in
            guard let value = Int(text), value >= 0 else { throw AdminError(400, "cursor is not one this endpoint returned", field: "cursor") }
            return value
        } ?? 0
        let usageQuery = UsageQuery(fromMillis: from, toMillis: to, groupBy: groupBy, bucket: bucket, filters: filters)
        let (rows, coveredFrom, coveredTo) = try database.read { try RequestLogRepository($0).usage(usageQuery) }
        var totals = UsageTotals()
        for row in rows { totals.merge(row.totals) }
        let page = rows.dropFirst(offset).prefix(limit)
        let names = try displayNames(page, groupBy: groupBy)
        return try CSVExport.answer(.object([
            ("from", .string(Timestamp.iso8601(coveredFrom))), ("to", .string(Timestamp.iso8601(coveredTo))),
            ("bucket", .optional(bucket?.name)), ("group_by", .array(groupBy.map { .string($0.rawValue) })),
            ("data", .array(page.map { row in Self.render(row, groupBy: groupBy, names: names) })),
            ("totals", .object(Self.figures(totals))),
            ("next_cursor", offset + limit < rows.count ? .string(String(offset + limit)) : .null),
        ]), request: request, filename: "usage")
    }

    /// The names of the keys and teams a page of usage rows is grouped by (ids of deleted ones have none).
    func displayNames<Rows: Sequence<UsageRow>>(_ rows: Rows, groupBy: [UsageDimension]) throws -> [UsageDimension: [String: String]] {
        let wanted: [(UsageDimension, ConfigRepository.NameTable)] = [(.key, .keys), (.team, .teams)].filter { groupBy.contains($0.0) }
        guard !wanted.isEmpty else { return [:] }
        return try database.read { connection in
            var names: [UsageDimension: [String: String]] = [:]
            for (dimension, table) in wanted {
                let ids = Set(rows.compactMap { $0.group[dimension] }.filter { !$0.isEmpty })
                names[dimension] = try ConfigRepository(connection).names(of: table, ids: Array(ids))
            }
            return names
        }
    }

    /// One usage row; grouped by key or team it carries `key_name` / `team_name` (null when unknown).
    static func render(_ row: UsageRow, groupBy: [UsageDimension], names: [UsageDimension: [String: String]] = [:]) -> JSONValue {
        var fields: [(String, JSONValue)] = []
        if let start = row.bucketStart { fields.append(("bucket_start", .string(Timestamp.iso8601(start)))) }
        for dimension in groupBy {
            let value = row.group[dimension] ?? ""
            if dimension == .status, let code = Int(value) {
                fields.append(("status", .int(code)))
            } else {
                fields.append((dimension.rawValue, value.isEmpty ? .null : .string(value)))
            }
            if dimension == .key || dimension == .team {
                fields.append((dimension.rawValue + "_name", .optional(names[dimension]?[value])))
            }
        }
        return .object(fields + figures(row.totals))
    }

    static func figures(_ totals: UsageTotals) -> [(String, JSONValue)] {
        func millis(_ value: Double?) -> JSONValue { value.map { .number(JSONNumberText.of($0)) } ?? .null }
        return [
            ("requests", .int(totals.requests)), ("errors", .int(totals.errors)), ("input_tokens", .int(totals.inputTokens)),
            ("output_tokens", .int(totals.outputTokens)), ("cached_tokens", .int(totals.cachedTokens)), ("cost_usd", totals.cost.json),
            ("unpriced_requests", .int(totals.unpriced)), ("cache_hits", .int(totals.cacheHits)),
            ("p50_ms", millis(totals.latency.quantile(0.5))), ("p95_ms", millis(totals.latency.quantile(0.95))),
            ("ttft_p50_ms", millis(totals.timeToFirstToken.quantile(0.5))), ("ttft_p95_ms", millis(totals.timeToFirstToken.quantile(0.95))),
        ]
    }

    /// `GET /keys/{id}/spend`: the key's spend in its budget's current period (or the last 30 days without a
    /// budget, or `from`/`to` when given), by model, with what is left and when the period resets.
    func keySpend(key: KeyRecord, _ request: HTTPRequest) throws -> HTTPResponse {
        let now = Timestamp.nowMillis()
        let period = key.budget.flatMap { BudgetPeriod(rawValue: $0.period) }
        let periodStart = period?.start(containing: now)
        let from = try Self.time(request.query, "from") ?? periodStart ?? now - 30 * 86_400_000
        let to = try Self.time(request.query, "to") ?? now
        guard from < to else { throw AdminError(400, "from must be before to", field: "from") }
        let query = UsageQuery(fromMillis: from, toMillis: to, groupBy: [.model], filters: [.key: key.id])
        let (rows, coveredFrom, coveredTo) = try database.read { try RequestLogRepository($0).usage(query) }
        var totals = UsageTotals()
        for row in rows { totals.merge(row.totals) }
        var fields: [(String, JSONValue)] = [
            ("key", .string(key.id)), ("name", .string(key.name)), ("from", .string(Timestamp.iso8601(coveredFrom))),
            ("to", .string(Timestamp.iso8601(coveredTo))), ("spent_usd", totals.cost.json), ("requests", .int(totals.requests)),
            ("unpriced_requests", .int(totals.unpriced)), ("budget", AccessPayload.render(key.budget)),
        ]
        if let budget = key.budget, let period, let periodStart {
            let limit = Picodollars(budget.limitMicros * 1_000_000)
            fields.append(("remaining_usd", Picodollars(max(0, limit.value - totals.cost.value)).json))
            fields.append(("period_start", .string(Timestamp.iso8601(periodStart))))
            fields.append(("resets_at", period.end(afterStart: periodStart).map { .string(Timestamp.iso8601($0)) } ?? .null))
        }
        fields.append(("by_model", .array(rows.map { Self.render($0, groupBy: [.model]) })))
        return .json(200, .object(fields))
    }

    /// `GET /usage/forecast`: for the global budget and every key and team budget, the spend so far in its period and the spend
    /// projected to the period's end at the rate of the last 24 hours (or of the period so far, if shorter).
    func forecast(_ request: HTTPRequest, now: Int64 = Timestamp.nowMillis()) throws -> HTTPResponse {
        let (keys, teams, settings) = try database.read { connection in
            (try ConfigRepository(connection).keys().items, try ConfigRepository(connection).teams().items,
             SettingsEndpoints.Stored(try ConfigRepository(connection).settings()))
        }
        var budgets: [(kind: String, id: String, name: String, budget: BudgetRecord)] = []
        if let budget = settings.budget { budgets.append(("global", "global", "global", budget)) }
        for key in keys { if let budget = key.budget { budgets.append(("key", key.id, key.name, budget)) } }
        for team in teams { if let budget = team.budget { budgets.append(("team", team.id, team.name, budget)) } }
        let day: Int64 = 86_400_000
        let items = try budgets.compactMap { item -> JSONValue? in
            guard let period = BudgetPeriod(rawValue: item.budget.period) else { return nil }
            let start = period.start(containing: now)
            let end = period.end(afterStart: start)
            let windowStart = max(start, now - day)
            let (spent, recent) = try database.read { connection -> (Picodollars, Picodollars) in
                let repository = RequestLogRepository(connection)
                let key = item.kind == "key" ? item.id : nil
                let team = item.kind == "team" ? item.id : nil
                return (try repository.spent(key: key, team: team, since: start),
                        try repository.spent(key: key, team: team, since: RollupGranularity.day.floor(windowStart)))
            }
            let limit = Picodollars(item.budget.limitMicros * 1_000_000)
            var projected: Picodollars?
            if let end {
                // Recent spend is read from whole days (the rollups keep keys by the day), so the rate is over
                // the time since the start of the day the window begins in.
                let elapsed = max(60_000, now - RollupGranularity.day.floor(windowStart))
                let rate = Double(recent.value) / Double(elapsed)
                projected = Picodollars(spent.value + Int64(rate * Double(end - now)))
            }
            return .object([
                ("scope", .string(item.kind)), ("id", .string(item.id)), ("name", .string(item.name)),
                ("period", .string(period.rawValue)), ("period_start", .string(Timestamp.iso8601(start))),
                ("period_end", end.map { .string(Timestamp.iso8601($0)) } ?? .null),
                ("limit_usd", Micros(item.budget.limitMicros).json), ("spent_usd", spent.json),
                ("projected_usd", projected.map(\.json) ?? .null),
                ("projected_pct", projected.map { .number(JSONNumberText.of((Double($0.value) / Double(max(1, limit.value)) * 1000).rounded() / 10)) } ?? .null),
                ("will_exceed", .bool((projected ?? spent) > limit)),
            ])
        }
        return try CSVExport.answer(.object([("data", .array(items)), ("next_cursor", .null)]), request: request, filename: "budgets")
    }

    func requests(_ request: HTTPRequest) throws -> HTTPResponse {
        let query = request.query
        let (limit, cursor) = try Pagination.read(query)
        var filter = RequestLogRepository.Filter(model: query["model"], keyID: query["key"], team: query["team"], provider: query["provider"],
                                                 errorType: query["error_type"])
        if let status = query["status"] {
            guard let code = Int(status) else { throw AdminError(400, "status must be an HTTP status code", field: "status") }
            filter.status = code
        }
        filter.fromMillis = try Self.time(query, "from")
        filter.toMillis = try Self.time(query, "to")
        let byCost: Bool
        switch query["order"] ?? "newest" {
        case "newest": byCost = false
        case "cost": byCost = true
        default: throw AdminError(400, "order must be newest or cost", field: "order")
        }
        let page = try database.read { try RequestLogRepository($0).list(filter: filter, limit: limit, cursor: cursor, byCost: byCost) }
        let rows: [JSONValue] = page.items.map(\.json)
        return try CSVExport.answer(.object([("data", .array(rows)), ("next_cursor", .optional(page.nextCursor))]), request: request,
                                    filename: "requests")
    }

    func request(id: String) throws -> HTTPResponse {
        guard let entry = try database.read({ try RequestLogRepository($0).entry(id: id) }) else {
            throw AdminError.notFound("request", id)
        }
        return .json(200, entry.json)
    }

    /// A time query parameter: RFC 3339 or epoch seconds.
    static func time(_ query: [String: String], _ name: String) throws -> Int64? {
        guard let text = query[name], !text.isEmpty else { return nil }
        guard let millis = Timestamp.parse(text) else { throw AdminError(400, "\(name) must be RFC 3339 or epoch seconds", field: name) }
        return millis
    }
}

extension String {
    /// Without leading and trailing spaces.
    var trimmed: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
