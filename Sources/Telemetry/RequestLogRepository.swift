import Core
import Store

/// Inserts and queries request-log rows and their attempts.
public struct RequestLogRepository {
    let connection: DatabaseConnection
    public init(_ connection: DatabaseConnection) { self.connection = connection }

    /// The columns read back: those a row sets, then its rowid (for cursors and shipping).
    static let columns = insertedColumns + ", rowid"
    static let rowidColumn = 29
    static let costColumn = 19

    /// How many rows one insert statement takes, largest first: a batch goes in as few statements as these sizes allow
    /// (50 rows: 32 + 16 + 2), and only these statements are ever prepared.
    static let rowStatementSizes = [32, 16, 8, 4, 2, 1]
    /// The `requests` insert for each of `rowStatementSizes`: a statement per row spent about a sixth of the writer
    /// opening and closing its four B-tree cursors and freeing what it bound.
    static let insertRows: [String] = rowStatementSizes.map { count in
        let values = "(" + Array(repeating: "?", count: insertedColumns.split(separator: ",").count).joined(separator: ", ") + ")"
        return "INSERT OR IGNORE INTO requests (\(insertedColumns)) VALUES " + Array(repeating: values, count: count).joined(separator: ", ")
    }
    /// The columns a logged row sets, in `bind`'s order.
    static let insertedColumns = """
        id, created_at, model, provider, upstream_model, status, error_type, input_tokens, output_tokens, stream, attempts,
        latency_ms, ttft_ms, endpoint, key_id, team, deployment_id, cached_tokens, reasoning_tokens, cost_pusd, unpriced,
        cache_hit, queue_ms, connect_ms, error_message, trace_id, request_body, response_body, client_request_id
        """
    static let insertAttempt = """
        INSERT OR IGNORE INTO request_attempts (request_id, number, provider, upstream_model, status, outcome, latency_ms,
          deployment_id, error, connect_ms, ttft_ms, started_ms)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// Inserts rows and their attempts; a row whose id is already logged is skipped (so replays and
    /// redeliveries are idempotent). Returns the positions of the skipped rows, which rollups must not count.
    /// `pause` runs after each `pauseRows` rows or so (between two statements).
    @discardableResult
    public func insert<Rows: RandomAccessCollection<RequestLogEntry>>(_ rows: Rows, pausingEvery pauseRows: Int = .max,
                                                                      pause: () -> Void = {}) throws -> [Rows.Index] {
        try rows.withContiguousRows { try insert($0, pausingEvery: pauseRows, pause: pause) }.map { rows.index(rows.startIndex, offsetBy: $0) }
    }

    /// `insert(_:pausingEvery:pause:)` of rows read in place; returns the offsets of the skipped ones.
    private func insert(_ rows: UnsafeBufferPointer<RequestLogEntry>, pausingEvery pauseRows: Int, pause: () -> Void) throws -> [Int] {
        guard let first = rows.baseAddress else { return [] }
        var skipped: [Int] = []
        var start = 0
        var sincePause = 0
        while start != rows.count {
            if sincePause >= pauseRows {
                pause()
                sincePause = 0
            }
            let remaining = rows.count - start
            let slot = Self.rowStatementSizes.firstIndex { $0 <= remaining } ?? Self.rowStatementSizes.count - 1
            let size = Self.rowStatementSizes[slot]
            let chunk = start..<(start + size)
            let inserted = try connection.execute(Self.insertRows[slot]) { row in
                for index in chunk { Self.bind(first + index, to: &row) }
            }
            let skippedHere = inserted == size ? [] : try ignoredRows(rows, chunk, inserted: inserted)
            skipped += skippedHere
            for index in chunk where !skippedHere.contains(index) {
                for a in RequestLogEntry.attemptsToStore(of: first + index) {
                    try connection.execute(Self.insertAttempt) { row in
                        row.add(rows[index].id); row.add(a.number); row.add(a.provider); row.add(a.upstreamModel); row.add(a.status)
                        row.add(a.outcome); row.add(a.latencyMillis); row.add(a.deploymentID); row.add(a.error); row.add(a.connectMillis)
                        row.add(a.timeToFirstTokenMillis); row.add(a.startedMillis)
                    }
                }
            }
            start = chunk.upperBound
            sincePause += size
        }
        return skipped
    }

    /// The positions in `chunk` whose rows the insert just run ignored, given that it `inserted` the others. New rows
    /// take consecutive rowids ending at the connection's last insert, so the ids among those are the rows that went in
    /// (an id twice in one chunk went in at its first place only).
    private func ignoredRows(_ rows: UnsafeBufferPointer<RequestLogEntry>, _ chunk: Range<Int>, inserted: Int) throws -> [Int] {
        var added: Set<String> = []
        if inserted > 0 {
            let last = connection.lastInsertRowid
            for row in try connection.query("SELECT id FROM requests WHERE rowid > ? AND rowid <= ?", [last - Int64(inserted), last]) {
                if let id = row[0].string { added.insert(id) }
            }
        }
        return chunk.filter { added.remove(rows[$0].id) == nil }
    }

    /// Binds the columns of the row at `entry` in `insertedColumns`' order, read in place (see `withContiguousRows`).
    private static func bind(_ entry: UnsafePointer<RequestLogEntry>, to row: inout StatementBindings) {
        row.add(entry.pointee.id); row.add(entry.pointee.createdAtMillis); row.add(entry.pointee.model); row.add(entry.pointee.provider)
        row.add(entry.pointee.upstreamModel); row.add(entry.pointee.status); row.add(entry.pointee.errorType)
        row.add(entry.pointee.inputTokens); row.add(entry.pointee.outputTokens); row.add(entry.pointee.stream)
        row.add(entry.pointee.attempts); row.add(entry.pointee.latencyMillis); row.add(entry.pointee.timeToFirstTokenMillis)
        row.add(entry.pointee.endpoint); row.add(entry.pointee.keyID); row.add(entry.pointee.team); row.add(entry.pointee.deploymentID)
        row.add(entry.pointee.cachedTokens); row.add(entry.pointee.reasoningTokens); row.add(entry.pointee.cost.value)
        row.add(entry.pointee.unpriced); row.add(entry.pointee.cacheHit); row.add(entry.pointee.queueMillis)
        row.add(entry.pointee.connectMillis); row.add(entry.pointee.errorMessage); row.add(entry.pointee.traceID)
        row.add(entry.pointee.requestBody); row.add(entry.pointee.responseBody); row.add(entry.pointee.clientRequestID)
    }

    /// Inserts rows with their attempts and counts the new ones in the usage rollups (call inside one
    /// transaction, so rows and rollups never disagree). Returns the positions of the rows already logged.
    /// `pause` runs between inserts, after each `pauseRows` rows or so.
    @discardableResult
    public func record<Rows: RandomAccessCollection<RequestLogEntry>>(_ rows: Rows, pausingEvery pauseRows: Int = .max,
                                                                      pause: () -> Void = {}) throws -> [Rows.Index] {
        let skipped = try rows.withContiguousRows { rows in
            let skipped = try insert(rows, pausingEvery: pauseRows, pause: pause)
            var rollup = UsageRollup()
            for index in rows.indices where !skipped.contains(index) { rollup.add(rows.baseAddress! + index) }
            try addRollups(rollup)
            return skipped
        }
        return skipped.map { rows.index(rows.startIndex, offsetBy: $0) }
    }

    /// Adds a batch's rollup cells to the stored ones (creating missing rows).
    public func addRollups(_ rollup: UsageRollup) throws {
        for (key, cell) in rollup.cells {
            try connection.execute(Self.addRollup) { row in
                row.add(key.granularity.rawValue); row.add(key.bucketStart); row.add(key.model); row.add(key.provider)
                row.add(key.deploymentID); row.add(key.keyID); row.add(key.team); row.add(key.status); row.add(cell.requests)
                row.add(cell.errors); row.add(cell.inputTokens); row.add(cell.outputTokens); row.add(cell.cachedTokens)
                row.add(cell.cost.value); row.add(cell.unpriced); row.add(cell.cacheHits); row.add(blob: cell.latency.encoded)
                row.add(blob: cell.timeToFirstToken.encoded)
            }
        }
    }

    static let addRollup = """
        INSERT INTO usage_rollups (granularity, bucket_start, model, provider, deployment_id, key_id, team, status, requests,
          errors, input_tokens, output_tokens, cached_tokens, cost_pusd, unpriced, cache_hits, latency_hist, ttft_hist)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT DO UPDATE SET requests = requests + excluded.requests, errors = errors + excluded.errors,
          input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens,
          cached_tokens = cached_tokens + excluded.cached_tokens, cost_pusd = cost_pusd + excluded.cost_pusd,
          unpriced = unpriced + excluded.unpriced, cache_hits = cache_hits + excluded.cache_hits,
          latency_hist = hist_add(latency_hist, excluded.latency_hist), ttft_hist = hist_add(ttft_hist, excluded.ttft_hist)
        """

    /// Filters for listing requests.
    public struct Filter: Sendable {
        public var model: String?
        public var status: Int?
        public var fromMillis: Int64?
        public var toMillis: Int64?
        public var keyID: String?
        public var team: String?
        public var provider: String?
        public var errorType: String?
        public init(model: String? = nil, status: Int? = nil, fromMillis: Int64? = nil, toMillis: Int64? = nil, keyID: String? = nil,
                    team: String? = nil, provider: String? = nil, errorType: String? = nil) {
            self.model = model
            self.status = status
            self.fromMillis = fromMillis
            self.toMillis = toMillis
            self.keyID = keyID
            self.team = team
            self.provider = provider
            self.errorType = errorType
        }
    }

    /// Requests newest first (or most expensive first, `byCost`); the cursor is `created_at:rowid` (or
    /// `cost_pusd:rowid`) of the last row of the previous page.
    public func list(filter: Filter, limit: Int, cursor: String?, byCost: Bool = false) throws -> Page<RequestLogEntry> {
        let query = Self.listQuery(filter: filter, limit: limit, cursor: cursor, byCost: byCost)
        let rows = try connection.query(query.sql, query.bindings)
        let items = rows.prefix(limit).map(Self.entry)
        var next: String?
        let orderColumn = byCost ? Self.costColumn : 1
        if rows.count > limit, let value = rows[limit - 1][orderColumn].int64, let rowid = rows[limit - 1][Self.rowidColumn].int64 {
            next = "\(value):\(rowid)"
        }
        return Page(items: Array(items), nextCursor: next)
    }

    /// The page query of `list`, naming only the filters given, so that an equality on an indexed column (`key_id`) can
    /// use its index; one more row than `limit` tells whether another page follows.
    static func listQuery(filter: Filter, limit: Int, cursor: String?, byCost: Bool) -> (sql: String, bindings: [SQLBindable]) {
        var beforeValue = Int64.max
        var beforeRow = Int64.max
        if let cursor {
            let parts = cursor.split(separator: ":")
            if parts.count == 2, let t = Int64(parts[0]), let r = Int64(parts[1]) {
                beforeValue = t
                beforeRow = r
            }
        }
        let order = byCost ? "cost_pusd" : "created_at"
        var conditions = ["(\(order) < ? OR (\(order) = ? AND rowid < ?))"]
        var bindings: [SQLBindable] = [beforeValue, beforeValue, beforeRow]
        func require<Value: SQLBindable>(_ condition: String, _ value: Value?) {
            guard let value else { return }
            conditions.append(condition)
            bindings.append(value)
        }
        require("model = ?", filter.model)
        require("status = ?", filter.status)
        require("created_at >= ?", filter.fromMillis)
        require("created_at < ?", filter.toMillis)
        require("key_id = ?", filter.keyID)
        require("team = ?", filter.team)
        require("provider = ?", filter.provider)
        require("error_type = ?", filter.errorType)
        bindings.append(limit + 1)
        let sql = "SELECT \(columns) FROM requests WHERE \(conditions.joined(separator: " AND ")) ORDER BY \(order) DESC, rowid DESC LIMIT ?"
        return (sql, bindings)
    }

    /// Rows written after the row `afterRowid`, oldest first, with their attempts, and the last rowid among them
    /// (a data plane ships them to its control plane in this order).
    public func rows(afterRowid: Int64, limit: Int) throws -> (entries: [RequestLogEntry], lastRowid: Int64) {
        let rows = try connection.query("SELECT \(Self.columns) FROM requests WHERE rowid > ? ORDER BY rowid LIMIT ?", [afterRowid, limit])
        var entries: [RequestLogEntry] = []
        for row in rows {
            var shipped = Self.entry(row)
            shipped.attemptDetails = try entry(id: shipped.id)?.attemptDetails ?? []
            entries.append(shipped)
        }
        return (entries, rows.last?[Self.rowidColumn].int64 ?? afterRowid)
    }

    /// What rows after `afterRowid` (not shipped yet) cost since `since`, for one key, one team, or all (both nil).
    public func unshippedSpent(afterRowid: Int64, key: String?, team: String?, since: Int64) throws -> Picodollars {
        let rows = try connection.query("""
            SELECT SUM(cost_pusd) FROM requests WHERE rowid > ? AND created_at >= ?
              AND (? IS NULL OR key_id = ?) AND (? IS NULL OR team = ?)
            """, [afterRowid, since, key, key, team, team])
        return Picodollars(rows.first?[0].int64 ?? 0)
    }

    /// One request with its attempts.
    /// The row `id` names: the row's own id, or else a client's `x-request-id` (its latest request under that id).
    public func entry(id: String) throws -> RequestLogEntry? {
        let found = try connection.query("SELECT \(Self.columns) FROM requests WHERE id = ?", [id]).first
            ?? connection.query("""
                SELECT \(Self.columns) FROM requests WHERE client_request_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1
                """, [id]).first
        guard var entry = found.map(Self.entry) else { return nil }
        let id = entry.id
        entry.attemptDetails = try connection.query("""
            SELECT number, provider, upstream_model, status, outcome, latency_ms, deployment_id, error, connect_ms, ttft_ms, started_ms
            FROM request_attempts WHERE request_id = ? ORDER BY number
            """, [id]).map { row in
            var attempt = RequestAttempt(number: row[0].int ?? 0, provider: row[1].string ?? "", upstreamModel: row[2].string ?? "",
                                         status: row[3].int ?? 0, outcome: row[4].string ?? "", latencyMillis: row[5].int ?? 0)
            attempt.deploymentID = row[6].string
            attempt.error = row[7].string
            attempt.connectMillis = row[8].int
            attempt.timeToFirstTokenMillis = row[9].int
            attempt.startedMillis = row[10].int
            return attempt
        }
        return entry
    }

    /// Deletes up to `limit` raw rows (and their attempts) older than `cutoffMillis`; returns how many went.
    public func deleteRequests(olderThan cutoffMillis: Int64, limit: Int) throws -> Int {
        try connection.execute("""
            DELETE FROM request_attempts WHERE request_id IN
              (SELECT id FROM requests WHERE created_at < ? ORDER BY created_at LIMIT ?)
            """, [cutoffMillis, limit])
        return try connection.execute("""
            DELETE FROM requests WHERE rowid IN (SELECT rowid FROM requests WHERE created_at < ? ORDER BY created_at LIMIT ?)
            """, [cutoffMillis, limit])
    }

    /// Deletes up to `limit` rollup rows of `granularity` whose bucket starts before `cutoffMillis`.
    public func deleteRollups(_ granularity: RollupGranularity, olderThan cutoffMillis: Int64, limit: Int) throws -> Int {
        try connection.execute("""
            DELETE FROM usage_rollups WHERE (granularity, bucket_start, model, provider, deployment_id, key_id, team, status) IN
              (SELECT granularity, bucket_start, model, provider, deployment_id, key_id, team, status FROM usage_rollups
               WHERE granularity = ? AND bucket_start < ? LIMIT ?)
            """, [granularity.rawValue, cutoffMillis, limit])
    }

    static func entry(_ row: Row) -> RequestLogEntry {
        var e = RequestLogEntry(id: row[0].string ?? "", createdAtMillis: row[1].int64 ?? 0, model: row[2].string ?? "", provider: row[3].string,
                                upstreamModel: row[4].string, status: row[5].int ?? 0, errorType: row[6].string, inputTokens: row[7].int,
                                outputTokens: row[8].int, stream: row[9].bool, attempts: row[10].int ?? 0, latencyMillis: row[11].int ?? 0,
                                timeToFirstTokenMillis: row[12].int)
        e.endpoint = row[13].string ?? "chat"
        e.keyID = row[14].string
        e.team = row[15].string
        e.deploymentID = row[16].string
        e.cachedTokens = row[17].int
        e.reasoningTokens = row[18].int
        e.cost = Picodollars(row[19].int64 ?? 0)
        e.unpriced = row[20].bool
        e.cacheHit = row[21].bool
        e.queueMillis = row[22].int
        e.connectMillis = row[23].int
        e.errorMessage = row[24].string
        e.traceID = row[25].string
        e.requestBody = row[26].string
        e.responseBody = row[27].string
        e.clientRequestID = row[28].string
        return e
    }
}

extension Array where Element == RequestLogEntry {
    /// These rows less the ones at `skipped` (what `RequestLogRepository.record` found already logged); no copy when
    /// there are none.
    public func excluding(_ skipped: [Int]) -> [RequestLogEntry] {
        skipped.isEmpty ? self : indices.filter { !skipped.contains($0) }.map { self[$0] }
    }
}
