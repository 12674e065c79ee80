/// A stored route: how one public model name is served.
public struct RouteRecord: Sendable, Equatable {
    public var name: String
    public var strategy: String
    /// JSON array of public names.
    public var fallbacks: String
    public var retries: Int?
    public var timeoutMillis: Int?
    /// JSON objects, kept as given.
    public var cache: String
    public var hedge: String
    public var affinityTTLSeconds: Int?
    /// `drop` or `reject`: what happens to a parameter the chosen model refuses.
    public var unsupportedParams = "drop"
    /// `continue` or `off`.
    public var streamRecovery = "off"
    /// JSON object of timeout overrides (`connect_ms`, `first_byte_ms`, `stream_idle_ms`).
    public var timeouts = "{}"
    public var createdAt: Int64
    public var updatedAt: Int64

    public init(name: String, strategy: String = "priority", fallbacks: String = "[]", retries: Int? = nil, timeoutMillis: Int? = nil,
                cache: String = "{}", hedge: String = "{}", affinityTTLSeconds: Int? = nil, createdAt: Int64, updatedAt: Int64) {
        self.affinityTTLSeconds = affinityTTLSeconds
        self.name = name
        self.strategy = strategy
        self.fallbacks = fallbacks
        self.retries = retries
        self.timeoutMillis = timeoutMillis
        self.cache = cache
        self.hedge = hedge
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// The `routes` table.
extension ConfigRepository {
    static let routeColumns = "name, strategy, fallbacks, retries, timeout_ms, cache, hedge, created_at, updated_at, affinity_ttl_s, unsupported_params, stream_recovery, timeouts"

    static func route(from row: Row) -> RouteRecord {
        var record = RouteRecord(name: row[0].string ?? "", strategy: row[1].string ?? "priority", fallbacks: row[2].string ?? "[]", retries: row[3].int,
                    timeoutMillis: row[4].int, cache: row[5].string ?? "{}", hedge: row[6].string ?? "{}", affinityTTLSeconds: row[9].int,
                    createdAt: row[7].int64 ?? 0,
                    updatedAt: row[8].int64 ?? 0)
        record.unsupportedParams = row[10].string ?? "drop"
        record.streamRecovery = row[11].string ?? "off"
        record.timeouts = row[12].string ?? "{}"
        return record
    }

    /// Routes by name, after `cursor` (a name).
    public func routes(limit: Int = Int(Int32.max), cursor: String? = nil) throws -> Page<RouteRecord> {
        let rows = try connection.query("SELECT \(Self.routeColumns) FROM routes WHERE name > ? ORDER BY name LIMIT ?", [cursor ?? "", limit + 1])
        let items = rows.prefix(limit).map(Self.route)
        return Page(items: Array(items), nextCursor: rows.count > limit ? items.last?.name : nil)
    }

    public func route(name: String) throws -> RouteRecord? {
        try connection.query("SELECT \(Self.routeColumns) FROM routes WHERE name = ?", [name]).first.map(Self.route)
    }

    /// Inserts or replaces the route named `r.name`.
    public func upsert(_ r: RouteRecord) throws {
        try connection.execute("""
            INSERT INTO routes (name, strategy, fallbacks, retries, timeout_ms, cache, hedge, affinity_ttl_s, created_at, updated_at,
              unsupported_params, stream_recovery, timeouts)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET strategy = excluded.strategy, fallbacks = excluded.fallbacks, retries = excluded.retries,
              timeout_ms = excluded.timeout_ms, cache = excluded.cache, hedge = excluded.hedge, affinity_ttl_s = excluded.affinity_ttl_s,
              updated_at = excluded.updated_at, unsupported_params = excluded.unsupported_params,
              stream_recovery = excluded.stream_recovery, timeouts = excluded.timeouts
            """, [r.name, r.strategy, r.fallbacks, r.retries, r.timeoutMillis, r.cache, r.hedge, r.affinityTTLSeconds, r.createdAt, r.updatedAt,
                  r.unsupportedParams, r.streamRecovery, r.timeouts])
    }

    public func deleteRoute(name: String) throws {
        try connection.execute("DELETE FROM routes WHERE name = ?", [name])
    }
}
