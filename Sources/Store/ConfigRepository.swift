import Core

/// Reads and writes providers, models and config versions inside a `Database` closure.
public struct ConfigRepository {
    let connection: DatabaseConnection
    public init(_ connection: DatabaseConnection) { self.connection = connection }

    static let providerColumns = """
        id, name, kind, base_url, api_key_ref, settings, rpm, tpm, connect_timeout_ms, first_byte_timeout_ms,
        total_timeout_ms, enabled, created_at, updated_at, stream_idle_timeout_ms, rowid
        """

    static func provider(from row: Row) -> ProviderRecord {
        ProviderRecord(id: row[0].string ?? "", name: row[1].string ?? "", kind: row[2].string ?? "", baseURL: row[3].string ?? "",
                       apiKeyRef: row[4].string, settings: row[5].string ?? "{}", rpm: row[6].int, tpm: row[7].int,
                       connectTimeoutMillis: row[8].int, firstByteTimeoutMillis: row[9].int, totalTimeoutMillis: row[10].int,
                       streamIdleTimeoutMillis: row[14].int, enabled: row[11].bool, createdAt: row[12].int64 ?? 0, updatedAt: row[13].int64 ?? 0)
    }

    public func provider(id: String) throws -> ProviderRecord? {
        try connection.query("SELECT \(Self.providerColumns) FROM providers WHERE id = ?", [id]).first.map(Self.provider)
    }

    public func provider(name: String) throws -> ProviderRecord? {
        try connection.query("SELECT \(Self.providerColumns) FROM providers WHERE name = ?", [name]).first.map(Self.provider)
    }

    /// Providers in creation order, `limit` at a time after `cursor`.
    public func providers(limit: Int = Int(Int32.max), cursor: String? = nil) throws -> Page<ProviderRecord> {
        let rows = try connection.query("SELECT \(Self.providerColumns) FROM providers WHERE rowid > ? ORDER BY rowid LIMIT ?",
                                        [Int64(cursor ?? "0") ?? 0, limit + 1])
        return page(rows, limit: limit, rowidColumn: 15, map: Self.provider)
    }

    public func insert(_ p: ProviderRecord) throws {
        try connection.execute("""
            INSERT INTO providers (id, name, kind, base_url, api_key_ref, settings, rpm, tpm, connect_timeout_ms,
              first_byte_timeout_ms, total_timeout_ms, stream_idle_timeout_ms, enabled, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [p.id, p.name, p.kind, p.baseURL, p.apiKeyRef, p.settings, p.rpm, p.tpm, p.connectTimeoutMillis,
                  p.firstByteTimeoutMillis, p.totalTimeoutMillis, p.streamIdleTimeoutMillis, p.enabled, p.createdAt, p.updatedAt])
    }

    public func update(_ p: ProviderRecord) throws {
        try connection.execute("""
            UPDATE providers SET name = ?, kind = ?, base_url = ?, api_key_ref = ?, settings = ?, rpm = ?, tpm = ?,
              connect_timeout_ms = ?, first_byte_timeout_ms = ?, total_timeout_ms = ?, stream_idle_timeout_ms = ?, enabled = ?, updated_at = ?
            WHERE id = ?
            """, [p.name, p.kind, p.baseURL, p.apiKeyRef, p.settings, p.rpm, p.tpm, p.connectTimeoutMillis,
                  p.firstByteTimeoutMillis, p.totalTimeoutMillis, p.streamIdleTimeoutMillis, p.enabled, p.updatedAt, p.id])
    }

    public func deleteProvider(id: String) throws {
        try connection.execute("DELETE FROM providers WHERE id = ?", [id])
    }

    static let modelColumns = """
        id, name, provider_id, upstream_model, context_window, max_output_tokens, weight, priority, rpm, tpm, enabled, created_at,
        updated_at, rowid
        """

    static func model(from row: Row) -> ModelRecord {
        ModelRecord(id: row[0].string ?? "", name: row[1].string ?? "", providerID: row[2].string ?? "", upstreamModel: row[3].string ?? "",
                    contextWindow: row[4].int, maxOutputTokens: row[5].int, weight: row[6].int ?? 1, priority: row[7].int ?? 0,
                    rpm: row[8].int, tpm: row[9].int, enabled: row[10].bool, createdAt: row[11].int64 ?? 0, updatedAt: row[12].int64 ?? 0)
    }

    public func model(id: String) throws -> ModelRecord? {
        try withPrices(connection.query("SELECT \(Self.modelColumns) FROM models WHERE id = ?", [id]).map(Self.model)).first
    }

    /// `models` with their price schedules (one query for all of them).
    private func withPrices(_ models: [ModelRecord]) throws -> [ModelRecord] {
        guard !models.isEmpty else { return models }
        let rows = try connection.query("""
            SELECT model_id, effective_from, input_per_mtok_micros, output_per_mtok_micros, cached_input_per_mtok_micros,
              reasoning_per_mtok_micros
            FROM model_prices WHERE model_id IN (SELECT value FROM json_each(?)) ORDER BY model_id, effective_from
            """, [JSONWriter.string(.array(models.map { .string($0.id) }))])
        var schedules: [String: [PriceRecord]] = [:]
        for row in rows {
            schedules[row[0].string ?? "", default: []].append(
                PriceRecord(effectiveFrom: row[1].int64 ?? 0, inputMicros: row[2].int64 ?? 0, outputMicros: row[3].int64 ?? 0,
                            cachedInputMicros: row[4].int64 ?? 0, reasoningMicros: row[5].int64))
        }
        return models.map { model in
            var priced = model
            priced.prices = schedules[model.id] ?? []
            return priced
        }
    }

    /// Replaces the stored price schedule of `m` by its record's.
    private func savePrices(_ m: ModelRecord) throws {
        try connection.execute("DELETE FROM model_prices WHERE model_id = ?", [m.id])
        for price in m.prices {
            try connection.execute("""
                INSERT INTO model_prices (model_id, effective_from, input_per_mtok_micros, output_per_mtok_micros,
                  cached_input_per_mtok_micros, reasoning_per_mtok_micros)
                VALUES (?, ?, ?, ?, ?, ?)
                """, [m.id, price.effectiveFrom, price.inputMicros, price.outputMicros, price.cachedInputMicros, price.reasoningMicros])
        }
    }

    /// Models in creation order, optionally only those with public `name`.
    public func models(limit: Int = Int(Int32.max), cursor: String? = nil, name: String? = nil) throws -> Page<ModelRecord> {
        let rows = try connection.query("""
            SELECT \(Self.modelColumns) FROM models WHERE rowid > ? AND (? IS NULL OR name = ?) ORDER BY rowid LIMIT ?
            """, [Int64(cursor ?? "0") ?? 0, name, name, limit + 1])
        var models = page(rows, limit: limit, rowidColumn: 13, map: Self.model)
        models.items = try withPrices(models.items)
        return models
    }

    public func modelCount(providerID: String) throws -> Int {
        try connection.query("SELECT count(*) FROM models WHERE provider_id = ?", [providerID]).first?[0].int ?? 0
    }

    public func insert(_ m: ModelRecord) throws {
        try connection.execute("""
            INSERT INTO models (id, name, provider_id, upstream_model, context_window, max_output_tokens, weight, priority, rpm, tpm,
              enabled, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [m.id, m.name, m.providerID, m.upstreamModel, m.contextWindow, m.maxOutputTokens, m.weight, m.priority, m.rpm, m.tpm,
                  m.enabled, m.createdAt, m.updatedAt])
        try savePrices(m)
    }

    public func update(_ m: ModelRecord) throws {
        try connection.execute("""
            UPDATE models SET name = ?, provider_id = ?, upstream_model = ?, context_window = ?, max_output_tokens = ?, weight = ?,
              priority = ?, rpm = ?, tpm = ?, enabled = ?, updated_at = ?
            WHERE id = ?
            """, [m.name, m.providerID, m.upstreamModel, m.contextWindow, m.maxOutputTokens, m.weight, m.priority, m.rpm, m.tpm,
                  m.enabled, m.updatedAt, m.id])
        try savePrices(m)
    }

    public func deleteModel(id: String) throws {
        try connection.execute("DELETE FROM models WHERE id = ?", [id])
    }

    /// The live config version (0 before any change).
    public func currentVersion() throws -> Int {
        try connection.query("SELECT coalesce(max(version), 0) FROM config_versions").first?[0].int ?? 0
    }

    /// Records a committed change as the next version and returns it.
    public func recordVersion(author: String, summary: String, at millis: Int64) throws -> Int {
        let next = try currentVersion() + 1
        try connection.execute("INSERT INTO config_versions (version, created_at, author, summary) VALUES (?, ?, ?, ?)",
                               [next, millis, author, summary])
        return next
    }

    private func page<T>(_ rows: [Row], limit: Int, rowidColumn: Int, map: (Row) -> T) -> Page<T> {
        let items = rows.prefix(limit).map(map)
        let next = rows.count > limit ? rows[limit - 1][rowidColumn].int64.map(String.init) : nil
        return Page(items: Array(items), nextCursor: next)
    }
}
