/// A stored budget: a hard limit per UTC period and a soft alert threshold.
public struct BudgetRecord: Sendable, Equatable {
    public var limitMicros: Int64
    /// `daily`, `weekly`, `monthly` or `total`.
    public var period: String
    public var softLimitPercent: Int?
    public init(limitMicros: Int64, period: String, softLimitPercent: Int? = nil) {
        self.limitMicros = limitMicros
        self.period = period
        self.softLimitPercent = softLimitPercent
    }
}

/// A stored team: limits and a budget shared by its keys.
public struct TeamRecord: Sendable, Equatable {
    public var id: String
    public var name: String
    public var rpm: Int?
    public var tpm: Int?
    public var budget: BudgetRecord?
    public var createdAt: Int64
    public var updatedAt: Int64
    public init(id: String, name: String, createdAt: Int64, updatedAt: Int64) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A stored virtual key (its secret only as a hash).
public struct KeyRecord: Sendable, Equatable {
    public var id: String
    public var name: String
    /// Hex SHA-256 of the secret.
    public var keyHash: String
    /// The secret's first characters, for recognising it (`sk-sy-ab12…`).
    public var prefix: String
    public var teamID: String?
    /// JSON array of public model names or globs (`gpt-4o*`); empty allows every model.
    public var allowedModels = "[]"
    public var rpm: Int?
    public var tpm: Int?
    public var budget: BudgetRecord?
    public var expiresAt: Int64?
    public var enabled = true
    public var logBodies = false
    public var createdAt: Int64
    public var updatedAt: Int64
    public init(id: String, name: String, keyHash: String, prefix: String, createdAt: Int64, updatedAt: Int64) {
        self.id = id
        self.name = name
        self.keyHash = keyHash
        self.prefix = prefix
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// The `teams` and `api_keys` tables.
extension ConfigRepository {
    static let teamColumns = "id, name, rpm, tpm, budget_limit_micros, budget_period, budget_soft_limit_pct, created_at, updated_at"
    static let keyColumns = """
        id, name, key_hash, prefix, team_id, allowed_models, rpm, tpm, budget_limit_micros, budget_period, budget_soft_limit_pct,
        expires_at, enabled, log_bodies, created_at, updated_at
        """

    static func budget(_ row: Row, at column: Int) -> BudgetRecord? {
        guard let limit = row[column].int64, let period = row[column + 1].string else { return nil }
        return BudgetRecord(limitMicros: limit, period: period, softLimitPercent: row[column + 2].int)
    }

    static func team(from row: Row) -> TeamRecord {
        var team = TeamRecord(id: row[0].string ?? "", name: row[1].string ?? "", createdAt: row[7].int64 ?? 0, updatedAt: row[8].int64 ?? 0)
        team.rpm = row[2].int
        team.tpm = row[3].int
        team.budget = budget(row, at: 4)
        return team
    }

    static func key(from row: Row) -> KeyRecord {
        var key = KeyRecord(id: row[0].string ?? "", name: row[1].string ?? "", keyHash: row[2].string ?? "", prefix: row[3].string ?? "",
                            createdAt: row[14].int64 ?? 0, updatedAt: row[15].int64 ?? 0)
        key.teamID = row[4].string
        key.allowedModels = row[5].string ?? "[]"
        key.rpm = row[6].int
        key.tpm = row[7].int
        key.budget = budget(row, at: 8)
        key.expiresAt = row[11].int64
        key.enabled = row[12].bool
        key.logBodies = row[13].bool
        return key
    }

    public func teams(limit: Int = Int(Int32.max), cursor: String? = nil) throws -> Page<TeamRecord> {
        let rows = try connection.query("SELECT \(Self.teamColumns) FROM teams WHERE id > ? ORDER BY id LIMIT ?", [cursor ?? "", limit + 1])
        let items = rows.prefix(limit).map(Self.team)
        return Page(items: Array(items), nextCursor: rows.count > limit ? items.last?.id : nil)
    }

    public func team(id: String) throws -> TeamRecord? {
        try connection.query("SELECT \(Self.teamColumns) FROM teams WHERE id = ? OR name = ?", [id, id]).first.map(Self.team)
    }

    /// Inserts or replaces a team.
    public func save(_ t: TeamRecord) throws {
        try connection.execute("""
            INSERT INTO teams (\(Self.teamColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, rpm = excluded.rpm, tpm = excluded.tpm,
              budget_limit_micros = excluded.budget_limit_micros, budget_period = excluded.budget_period,
              budget_soft_limit_pct = excluded.budget_soft_limit_pct, updated_at = excluded.updated_at
            """, [t.id, t.name, t.rpm, t.tpm, t.budget?.limitMicros, t.budget?.period, t.budget?.softLimitPercent, t.createdAt, t.updatedAt])
    }

    public func deleteTeam(id: String) throws {
        try connection.execute("DELETE FROM teams WHERE id = ?", [id])
    }

    /// Keys by id, after `cursor`, optionally of one team and with `nameContains` in their name (ASCII letters
    /// in any case).
    public func keys(limit: Int = Int(Int32.max), cursor: String? = nil, teamID: String? = nil, nameContains: String? = nil) throws -> Page<KeyRecord> {
        let pattern = nameContains.map { "%" + Self.likeEscaped($0) + "%" }
        let rows = try connection.query("""
            SELECT \(Self.keyColumns) FROM api_keys WHERE id > ? AND (? IS NULL OR team_id = ?)
              AND (? IS NULL OR name LIKE ? ESCAPE '\\') ORDER BY id LIMIT ?
            """, [cursor ?? "", teamID, teamID, pattern, pattern, limit + 1])
        let items = rows.prefix(limit).map(Self.key)
        return Page(items: Array(items), nextCursor: rows.count > limit ? items.last?.id : nil)
    }

    /// `text` matched literally by LIKE (its `%`, `_` and `\\` escaped with `\\`).
    static func likeEscaped(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }

    /// The names of the keys (`table` "api_keys") or teams ("teams") among `ids` that exist, by id.
    public func names(of table: NameTable, ids: [String]) throws -> [String: String] {
        guard !ids.isEmpty else { return [:] }
        let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ", ")
        let rows = try connection.query("SELECT id, name FROM \(table.rawValue) WHERE id IN (\(placeholders))", ids.map { $0 })
        var names: [String: String] = [:]
        for row in rows { if let id = row[0].string, let name = row[1].string { names[id] = name } }
        return names
    }

    /// The tables whose rows have a name `names(of:ids:)` can look up.
    public enum NameTable: String, Sendable {
        case keys = "api_keys", teams
    }

    public func key(id: String) throws -> KeyRecord? {
        try connection.query("SELECT \(Self.keyColumns) FROM api_keys WHERE id = ?", [id]).first.map(Self.key)
    }

    /// Inserts or replaces a key (the hash and prefix never change after creation).
    public func save(_ k: KeyRecord) throws {
        try connection.execute("""
            INSERT INTO api_keys (\(Self.keyColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, team_id = excluded.team_id, allowed_models = excluded.allowed_models,
              rpm = excluded.rpm, tpm = excluded.tpm, budget_limit_micros = excluded.budget_limit_micros,
              budget_period = excluded.budget_period, budget_soft_limit_pct = excluded.budget_soft_limit_pct,
              expires_at = excluded.expires_at, enabled = excluded.enabled, log_bodies = excluded.log_bodies,
              updated_at = excluded.updated_at
            """, [k.id, k.name, k.keyHash, k.prefix, k.teamID, k.allowedModels, k.rpm, k.tpm, k.budget?.limitMicros, k.budget?.period,
                  k.budget?.softLimitPercent, k.expiresAt, k.enabled, k.logBodies, k.createdAt, k.updatedAt])
    }

    public func deleteKey(id: String) throws {
        try connection.execute("DELETE FROM api_keys WHERE id = ?", [id])
    }
}
