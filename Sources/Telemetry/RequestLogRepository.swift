import Store

/// Inserts and queries request-log rows.
public struct RequestLogRepository {
    let connection: DatabaseConnection
    public init(_ connection: DatabaseConnection) { self.connection = connection }

    static let columns = """
        id, created_at, model, provider, upstream_model, status, error_type, input_tokens, output_tokens, stream, attempts,
        latency_ms, ttft_ms, rowid
        """

    static let insertPrefix = """
        INSERT OR IGNORE INTO requests (id, created_at, model, provider, upstream_model, status, error_type, input_tokens,
          output_tokens, stream, attempts, latency_ms, ttft_ms) VALUES
        """
    static let rowPlaceholders = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    /// Rows per multi-row INSERT: one statement step writes them all.
    static let rowsPerStatement = 64
    static let batchInsert = insertPrefix + Array(repeating: rowPlaceholders, count: rowsPerStatement).joined(separator: ", ")

    public func insert(_ e: RequestLogEntry) throws {
        try insert([e])
    }

    /// Inserts many rows, 64 to a statement, and the attempts of those that had more than one.
    public func insert<Rows: Collection<RequestLogEntry>>(_ rows: Rows) throws {
        for entry in rows where entry.attemptDetails.count > 1 {
            for attempt in entry.attemptDetails {
                try connection.execute("""
                    INSERT OR IGNORE INTO request_attempts (request_id, number, provider, upstream_model, status, outcome, latency_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, [entry.id, attempt.number, attempt.provider, attempt.upstreamModel, attempt.status, attempt.outcome,
                          attempt.latencyMillis])
            }
        }
        var rest = rows[...]
        while rest.count >= Self.rowsPerStatement {
            let chunk = rest.prefix(Self.rowsPerStatement)
            try connection.execute(Self.batchInsert, chunk.flatMap(Self.bindings))
            rest = rest.dropFirst(Self.rowsPerStatement)
        }
        for entry in rest { try connection.execute(Self.insertPrefix + Self.rowPlaceholders, Self.bindings(entry)) }
    }

    static func bindings(_ e: RequestLogEntry) -> [SQLBindable] {
        [e.id, e.createdAtMillis, e.model, e.provider, e.upstreamModel, e.status, e.errorType, e.inputTokens,
         e.outputTokens, e.stream, e.attempts, e.latencyMillis, e.timeToFirstTokenMillis]
    }

    /// Filters for listing requests.
    public struct Filter: Sendable {
        public var model: String?
        public var status: Int?
        public var fromMillis: Int64?
        public var toMillis: Int64?
        public init(model: String? = nil, status: Int? = nil, fromMillis: Int64? = nil, toMillis: Int64? = nil) {
            self.model = model
            self.status = status
            self.fromMillis = fromMillis
            self.toMillis = toMillis
        }
    }

    /// Requests newest first; the cursor is `created_at:rowid` of the last row of the previous page.
    public func list(filter: Filter, limit: Int, cursor: String?) throws -> Page<RequestLogEntry> {
        var beforeTime = Int64.max
        var beforeRow = Int64.max
        if let cursor {
            let parts = cursor.split(separator: ":")
            if parts.count == 2, let t = Int64(parts[0]), let r = Int64(parts[1]) {
                beforeTime = t
                beforeRow = r
            }
        }
        let rows = try connection.query("""
            SELECT \(Self.columns) FROM requests
            WHERE (created_at < ? OR (created_at = ? AND rowid < ?))
              AND (? IS NULL OR model = ?) AND (? IS NULL OR status = ?)
              AND (? IS NULL OR created_at >= ?) AND (? IS NULL OR created_at < ?)
            ORDER BY created_at DESC, rowid DESC LIMIT ?
            """, [beforeTime, beforeTime, beforeRow, filter.model, filter.model, filter.status, filter.status,
                  filter.fromMillis, filter.fromMillis, filter.toMillis, filter.toMillis, limit + 1])
        let items = rows.prefix(limit).map(Self.entry)
        var next: String?
        if rows.count > limit, let time = rows[limit - 1][1].int64, let rowid = rows[limit - 1][13].int64 { next = "\(time):\(rowid)" }
        return Page(items: Array(items), nextCursor: next)
    }

    /// One request with its attempts.
    public func entry(id: String) throws -> RequestLogEntry? {
        guard var entry = try connection.query("SELECT \(Self.columns) FROM requests WHERE id = ?", [id]).first.map(Self.entry) else { return nil }
        entry.attemptDetails = try connection.query("""
            SELECT number, provider, upstream_model, status, outcome, latency_ms FROM request_attempts WHERE request_id = ? ORDER BY number
            """, [id]).map { row in
            RequestAttempt(number: row[0].int ?? 0, provider: row[1].string ?? "", upstreamModel: row[2].string ?? "", status: row[3].int ?? 0,
                           outcome: row[4].string ?? "", latencyMillis: row[5].int ?? 0)
        }
        return entry
    }

    static func entry(_ row: Row) -> RequestLogEntry {
        RequestLogEntry(id: row[0].string ?? "", createdAtMillis: row[1].int64 ?? 0, model: row[2].string ?? "", provider: row[3].string,
                        upstreamModel: row[4].string, status: row[5].int ?? 0, errorType: row[6].string, inputTokens: row[7].int,
                        outputTokens: row[8].int, stream: row[9].bool, attempts: row[10].int ?? 0, latencyMillis: row[11].int ?? 0,
                        timeToFirstTokenMillis: row[12].int)
    }
}
