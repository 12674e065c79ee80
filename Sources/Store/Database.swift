import CSQLite
import Core
import Synchronization

/// One SQLite connection in WAL mode with reused prepared statements. Serialised by an internal lock:
/// every use goes through `read` or `write`, which hold it for the whole closure.
public final class Database: @unchecked Sendable {
    // Safety: `handle` and `statements` are only touched while `lock` is held.
    private let handle: OpaquePointer
    private let lock = Lock()
    private var statements: [StatementKey: OpaquePointer] = [:]
    /// The texts `execute(_:binding:)` binds, kept between runs (used under `lock`).
    let textScratch = StatementBindings.TextScratch()
    public let path: String
    /// Shared by every connection this process opens to the same file: writers queue here instead of in
    /// SQLite's busy handler, which polls with sleeps and lets a busy writer starve the others (the request
    /// log behind a stream of admin commits).
    private let fileWriteLock: Lock
    private static let writeLocks = Mutex<[String: Lock]>([:])
    /// Process-wide SQLite settings, applied once before the first connection opens: no memory statistics
    /// (nothing reads them, and keeping them takes a global mutex on every allocation SQLite makes).
    private static let processConfigured: Bool = csqlite_disable_memory_statistics() == SQLITE_OK

    /// Opens (creating if needed) the database at `path` with WAL, full sync and a busy timeout.
    public init(path: String, busyTimeoutMillis: Int32 = 5_000) throws {
        _ = Self.processConfigured
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open database"
            if let db { sqlite3_close_v2(db) }
            throw StoreError(code: rc, message: "\(message): \(path)")
        }
        handle = db
        self.path = path
        fileWriteLock = Self.writeLocks.withLock { locks in
            if let existing = locks[path] { return existing }
            let created = Lock()
            locks[path] = created
            return created
        }
        sqlite3_busy_timeout(db, busyTimeoutMillis)
        let connection = DatabaseConnection(database: self)
        try connection.execute("PRAGMA journal_mode=WAL")
        try connection.execute("PRAGMA synchronous=FULL")
        try connection.execute("PRAGMA foreign_keys=ON")
        let registered = csqlite_register_histogram_functions(db)
        guard registered == SQLITE_OK else { throw error(registered, sql: "histogram functions") }
    }

    /// Tunes this connection for the request log's bulk writes: WAL's `synchronous=NORMAL` (a commit
    /// survives a process crash, `kill -9`, but the last ones may be lost to a power failure; the log's
    /// loss bound is the flush window anyway; configuration stays fully synchronous) and a 16 MiB page
    /// cache, so the hot index pages stay in memory between batches.
    public func tuneForBulkWrites() throws {
        try read { connection in
            try connection.execute("PRAGMA synchronous=NORMAL")
            try connection.execute("PRAGMA cache_size=-16384")
        }
    }

    deinit {
        for statement in statements.values { sqlite3_finalize(statement) }
        sqlite3_close_v2(handle)
    }

    /// Runs `body` without a transaction.
    @discardableResult
    public func read<T>(_ body: (DatabaseConnection) throws -> T) throws -> T {
        try lock.withLock { try body(DatabaseConnection(database: self)) }
    }

    /// Runs `body` in an immediate transaction, committed when it returns and rolled back when it throws.
    @discardableResult
    public func write<T>(_ body: (DatabaseConnection) throws -> T) throws -> T {
        try lock.withLock { try fileWriteLock.withLock { try transaction(body) } }
    }

    private func transaction<T>(_ body: (DatabaseConnection) throws -> T) throws -> T {
        let connection = DatabaseConnection(database: self)
        try connection.execute("BEGIN IMMEDIATE")
        do {
            let result = try body(connection)
            try connection.execute("COMMIT")
            return result
        } catch {
            _ = try? connection.execute("ROLLBACK")
            throw error
        }
    }

    func error(_ code: Int32, sql: String?) -> StoreError {
        StoreError(code: code, message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }

    func executeScript(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        if rc != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? "error"
            sqlite3_free(message)
            throw StoreError(code: rc, message: text)
        }
    }

    /// The prepared statement for `sql`, reset; `clearingBindings` false when the caller binds every parameter anew.
    func statement(_ sql: String, clearingBindings: Bool = true) throws -> OpaquePointer {
        let key = StatementKey(sql: sql)
        if let cached = statements[key] {
            sqlite3_reset(cached)
            if clearingBindings { sqlite3_clear_bindings(cached) }
            return cached
        }
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard rc == SQLITE_OK, let statement else { throw error(rc, sql: sql) }
        statements[key] = statement
        return statement
    }

    func changes() -> Int { Int(sqlite3_changes(handle)) }

    func lastInsertRowid() -> Int64 { sqlite3_last_insert_rowid(handle) }
}

/// The operations available inside `Database.read` / `Database.write`.
public struct DatabaseConnection {
    let database: Database

    /// Runs a statement that returns no rows; returns the number of rows changed.
    @discardableResult
    public func execute(_ sql: String, _ bindings: [SQLBindable] = []) throws -> Int {
        _ = try step(sql, bindings, collect: false)
        return database.changes()
    }

    /// The rowid of the last row this connection inserted (for a statement that inserted several, the last of them).
    public var lastInsertRowid: Int64 { database.lastInsertRowid() }

    /// Runs a query and returns all rows.
    public func query(_ sql: String, _ bindings: [SQLBindable] = []) throws -> [Row] {
        try step(sql, bindings, collect: true)
    }

    /// Runs a SQL script of several statements (used by migrations).
    public func executeScript(_ sql: String) throws { try database.executeScript(sql) }

    private func step(_ sql: String, _ bindings: [SQLBindable], collect: Bool) throws -> [Row] {
        let statement = try database.statement(sql)
        defer { sqlite3_reset(statement) }
        for (index, binding) in bindings.enumerated() {
            let position = Int32(index + 1)
            let rc: Int32
            switch binding.sqlValue {
            case .null: rc = sqlite3_bind_null(statement, position)
            case .integer(let v): rc = sqlite3_bind_int64(statement, position, v)
            case .real(let v): rc = sqlite3_bind_double(statement, position, v)
            case .text(let v): rc = StatementBindings.bindText(v, to: statement, at: position)
            case .blob(let v): rc = StatementBindings.bindBlob(v, to: statement, at: position)
            }
            guard rc == SQLITE_OK else { throw database.error(rc, sql: sql) }
        }
        var rows: [Row] = []
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw database.error(rc, sql: sql) }
            guard collect else { continue }
            let columns = sqlite3_column_count(statement)
            var values: [SQLValue] = []
            values.reserveCapacity(Int(columns))
            for column in 0..<columns {
                switch sqlite3_column_type(statement, column) {
                case SQLITE_INTEGER: values.append(.integer(sqlite3_column_int64(statement, column)))
                case SQLITE_FLOAT: values.append(.real(sqlite3_column_double(statement, column)))
                case SQLITE_TEXT:
                    // By length, not up to the first NUL: text may hold one (the pointer first, then its length, as SQLite asks).
                    let text = sqlite3_column_text(statement, column)
                    let count = Int(sqlite3_column_bytes(statement, column))
                    values.append(.text(String(decoding: UnsafeRawBufferPointer(start: text, count: count), as: UTF8.self)))
                case SQLITE_BLOB:
                    let count = Int(sqlite3_column_bytes(statement, column))
                    let pointer = sqlite3_column_blob(statement, column)
                    values.append(.blob(count == 0 ? [] : Array(UnsafeRawBufferPointer(start: pointer, count: count))))
                default: values.append(.null)
                }
            }
            rows.append(Row(values: values))
        }
        return rows
    }
}

/// A statement cache key that hashes only the SQL's length and its first and last 32 bytes: hashing
/// whole statements (hundreds of bytes, run thousands of times a second by the request-log writer)
/// cost more than the lookup saved. Equality still compares the whole text.
struct StatementKey: Hashable {
    let sql: String

    func hash(into hasher: inout Hasher) {
        let utf8 = sql.utf8
        hasher.combine(utf8.count)
        let hashed: Void? = utf8.withContiguousStorageIfAvailable { bytes in
            let edge = min(32, bytes.count)
            hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[..<edge])))
            hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[(bytes.count - edge)...])))
        }
        if hashed == nil { hasher.combine(sql) }
    }
}
