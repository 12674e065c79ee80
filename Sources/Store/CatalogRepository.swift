/// One model of the catalog: defaults for models created without explicit pricing.
public struct CatalogRecord: Sendable, Equatable {
    public var id: Int64
    public var kind: String
    public var model: String
    public var contextWindow: Int?
    public var maxOutputTokens: Int?
    public var inputPerMTokMicros: Int64
    public var outputPerMTokMicros: Int64
    public var cachedInputPerMTokMicros: Int64
    /// `seed` for rows shipped with the migration, `admin` once edited or added.
    public var source: String
    /// Request parameters the model refuses, as a JSON array of names.
    public var unsupportedParams: String = "[]"
    public var updatedAt: Int64

    public init(id: Int64 = 0, kind: String, model: String, contextWindow: Int? = nil, maxOutputTokens: Int? = nil,
                inputPerMTokMicros: Int64 = 0, outputPerMTokMicros: Int64 = 0, cachedInputPerMTokMicros: Int64 = 0,
                source: String = "admin", updatedAt: Int64, unsupportedParams: String = "[]") {
        self.unsupportedParams = unsupportedParams
        self.id = id
        self.kind = kind
        self.model = model
        self.contextWindow = contextWindow
        self.maxOutputTokens = maxOutputTokens
        self.inputPerMTokMicros = inputPerMTokMicros
        self.outputPerMTokMicros = outputPerMTokMicros
        self.cachedInputPerMTokMicros = cachedInputPerMTokMicros
        self.source = source
        self.updatedAt = updatedAt
    }
}

/// The `model_catalog` table.
extension ConfigRepository {
    static let catalogColumns = """
        id, kind, model, context_window, max_output_tokens, input_per_mtok_micros, output_per_mtok_micros,
        cached_input_per_mtok_micros, source, updated_at, unsupported_params
        """

    static func catalogRecord(from row: Row) -> CatalogRecord {
        CatalogRecord(id: row[0].int64 ?? 0, kind: row[1].string ?? "", model: row[2].string ?? "", contextWindow: row[3].int,
                      maxOutputTokens: row[4].int, inputPerMTokMicros: row[5].int64 ?? 0, outputPerMTokMicros: row[6].int64 ?? 0,
                      cachedInputPerMTokMicros: row[7].int64 ?? 0, source: row[8].string ?? "admin", updatedAt: row[9].int64 ?? 0,
                      unsupportedParams: row[10].string ?? "[]")
    }

    /// Catalog entries by id, optionally of one provider kind.
    public func catalog(limit: Int = Int(Int32.max), cursor: String? = nil, kind: String? = nil) throws -> Page<CatalogRecord> {
        let rows = try connection.query("""
            SELECT \(Self.catalogColumns) FROM model_catalog WHERE id > ? AND (? IS NULL OR kind = ?) ORDER BY id LIMIT ?
            """, [Int64(cursor ?? "0") ?? 0, kind, kind, limit + 1])
        let items = rows.prefix(limit).map(Self.catalogRecord)
        return Page(items: Array(items), nextCursor: rows.count > limit ? String(items.last!.id) : nil)
    }

    public func catalogEntry(id: Int64) throws -> CatalogRecord? {
        try connection.query("SELECT \(Self.catalogColumns) FROM model_catalog WHERE id = ?", [id]).first.map(Self.catalogRecord)
    }

    public func catalogEntry(kind: String, model: String) throws -> CatalogRecord? {
        try connection.query("SELECT \(Self.catalogColumns) FROM model_catalog WHERE kind = ? AND model = ?", [kind, model])
            .first.map(Self.catalogRecord)
    }

    /// Inserts `record` and returns its id: a new one, or `c.id` when `keepingID` (a config import).
    @discardableResult
    public func insert(_ c: CatalogRecord, keepingID: Bool = false) throws -> Int64 {
        try connection.execute("""
            INSERT INTO model_catalog (id, kind, model, context_window, max_output_tokens, input_per_mtok_micros, output_per_mtok_micros,
              cached_input_per_mtok_micros, source, updated_at, unsupported_params) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [keepingID ? c.id : nil, c.kind, c.model, c.contextWindow, c.maxOutputTokens, c.inputPerMTokMicros, c.outputPerMTokMicros,
                  c.cachedInputPerMTokMicros, c.source, c.updatedAt, c.unsupportedParams])
        return try connection.query("SELECT last_insert_rowid()").first?[0].int64 ?? 0
    }

    public func update(_ c: CatalogRecord) throws {
        try connection.execute("""
            UPDATE model_catalog SET kind = ?, model = ?, context_window = ?, max_output_tokens = ?, input_per_mtok_micros = ?,
              output_per_mtok_micros = ?, cached_input_per_mtok_micros = ?, source = ?, updated_at = ?, unsupported_params = ? WHERE id = ?
            """, [c.kind, c.model, c.contextWindow, c.maxOutputTokens, c.inputPerMTokMicros, c.outputPerMTokMicros,
                  c.cachedInputPerMTokMicros, c.source, c.updatedAt, c.unsupportedParams, c.id])
    }

    public func deleteCatalogEntry(id: Int64) throws {
        try connection.execute("DELETE FROM model_catalog WHERE id = ?", [id])
    }
}
