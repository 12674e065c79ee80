/// A failed store operation: SQLite's code and message, and the SQL involved.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public let code: Int32
    public let message: String
    public let sql: String?

    public init(code: Int32, message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    public var description: String {
        sql.map { "\(message) (SQLite code \(code)) in: \($0)" } ?? "\(message) (SQLite code \(code))"
    }

    /// True when the disk (or the database's size limit) is full: SQLITE_FULL.
    public var isOutOfSpace: Bool { code & 0xFF == 13 }

    /// True when the database file cannot be read or written: SQLITE_IOERR, SQLITE_READONLY, SQLITE_CANTOPEN.
    public var isStorageFailure: Bool { [10, 8, 14].contains(code & 0xFF) }

    /// True when a UNIQUE constraint rejected the write.
    public var isUniqueViolation: Bool { code == 19 && message.contains("UNIQUE") }
}
