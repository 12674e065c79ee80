import CSQLite

/// A prepared statement's parameters bound in order straight from Swift values, with no `[SQLBindable]`
/// array of existentials and no `SQLValue` per value: the request-log writer binds 40 values a row,
/// thousands of rows a second, and that boxing cost a quarter of the writer's time.
public struct StatementBindings {
    let statement: OpaquePointer
    private var position: Int32 = 1
    /// The first binding that failed (SQLite's code), reported after the last one.
    private(set) var failure: Int32 = SQLITE_OK
    /// Values bound so far.
    var count: Int32 { position - 1 }
    /// The texts added, bound by `withTextsBound` once all are in (see `TextScratch`).
    private let scratch: TextScratch

    /// The bytes of the texts added, one after another, and where each goes: bound once all are in (the buffer no longer
    /// moves), pointing into it, instead of copied by SQLite one by one as they come (a malloc and a copy each: 17 a
    /// request-log row, a tenth of the writer). One per database, reused run after run; used under the database's lock.
    final class TextScratch {
        var bytes: [UInt8] = []
        var texts: [(position: Int32, start: Int, count: Int)] = []
    }

    init(statement: OpaquePointer, scratch: TextScratch) {
        self.statement = statement
        self.scratch = scratch
        scratch.bytes.removeAll(keepingCapacity: true)
        scratch.texts.removeAll(keepingCapacity: true)
    }

    public mutating func add(_ value: String?) {
        guard var value else { return next(sqlite3_bind_null(statement, position)) }
        // An empty text is bound at once (`bindText` knows it is '', not NULL): it has no bytes to point at.
        guard !value.isEmpty else { return next(Self.bindText(value, to: statement, at: position)) }
        value.withUTF8 { bytes in
            scratch.texts.append((position, scratch.bytes.count, bytes.count))
            scratch.bytes.append(contentsOf: bytes)
        }
        position += 1
    }

    /// Binds the texts added, pointing into this value's buffer, and runs `body` (the statement's steps) while the buffer
    /// is there. The statement keeps those pointers until its parameters are bound again: every run through
    /// `execute(_:binding:)` binds all of them, and every other run clears them first (`statement(_:clearingBindings:)`).
    /// A text SQLite refuses throws `failed(code)`.
    mutating func withTextsBound<Result>(failed: (Int32) -> StoreError, _ body: () throws -> Result) throws -> Result {
        try scratch.bytes.withUnsafeBytes { bytes in
            for text in scratch.texts {
                let rc = sqlite3_bind_text(statement, text.position, bytes.baseAddress!.advanced(by: text.start).assumingMemoryBound(to: CChar.self),
                                           Int32(text.count), nil)  // SQLITE_STATIC: the bytes stay where they are
                if rc != SQLITE_OK && failure == SQLITE_OK { failure = rc }
            }
            guard failure == SQLITE_OK else { throw failed(failure) }
            return try body()
        }
    }

    /// Binds `value`'s UTF-8 bytes where they lie (SQLite copies them): a `String` passed where a C string is expected
    /// is first copied into a new array.
    static func bindText(_ value: String, to statement: OpaquePointer, at position: Int32) -> Int32 {
        var value = value
        return value.withUTF8 { bytes in
            // An empty buffer may have no address, and a null pointer would bind NULL instead of ''.
            guard !bytes.isEmpty else { return sqlite3_bind_text(statement, position, "", 0, csqlite_transient()) }
            return bytes.withMemoryRebound(to: CChar.self) { text in
                sqlite3_bind_text(statement, position, text.baseAddress, Int32(text.count), csqlite_transient())
            }
        }
    }

    public mutating func add(_ value: Int64?) {
        guard let value else { return next(sqlite3_bind_null(statement, position)) }
        next(sqlite3_bind_int64(statement, position, value))
    }

    public mutating func add(_ value: Int?) { add(value.map(Int64.init)) }

    public mutating func add(_ value: Bool) { add(Int64(value ? 1 : 0)) }

    /// Binds a blob (SQLite copies it).
    public mutating func add(blob value: [UInt8]) {
        next(Self.bindBlob(value, to: statement, at: position))
    }

    /// Binds `value`'s bytes (SQLite copies them); an empty one is an empty blob, not NULL (an empty array may have no
    /// address, and a null pointer binds NULL).
    static func bindBlob(_ value: [UInt8], to statement: OpaquePointer, at position: Int32) -> Int32 {
        guard !value.isEmpty else { return sqlite3_bind_zeroblob(statement, position, 0) }
        return value.withUnsafeBytes { sqlite3_bind_blob(statement, position, $0.baseAddress, Int32($0.count), csqlite_transient()) }
    }

    private mutating func next(_ rc: Int32) {
        if rc != SQLITE_OK && failure == SQLITE_OK { failure = rc }
        position += 1
    }
}

extension DatabaseConnection {
    /// Runs `sql`, which returns no rows, with every parameter bound in order by `bind` (binding fewer or more values
    /// than the statement has parameters throws); returns the rows changed. For statements run in bulk;
    /// `execute(_:_:)` reads better everywhere else.
    @discardableResult
    public func execute(_ sql: String, binding bind: (inout StatementBindings) -> Void) throws -> Int {
        let statement = try database.statement(sql, clearingBindings: false)
        defer { sqlite3_reset(statement) }
        var bindings = StatementBindings(statement: statement, scratch: database.textScratch)
        bind(&bindings)
        guard bindings.failure == SQLITE_OK else { throw database.error(bindings.failure, sql: sql) }
        // The bindings are not cleared between runs: a value left out would silently repeat the previous row's.
        guard bindings.count == sqlite3_bind_parameter_count(statement) else {
            throw StoreError(code: SQLITE_RANGE, message: "bound \(bindings.count) of \(sqlite3_bind_parameter_count(statement)) parameters", sql: sql)
        }
        return try bindings.withTextsBound(failed: { database.error($0, sql: sql) }) {
            var rc = sqlite3_step(statement)
            while rc == SQLITE_ROW { rc = sqlite3_step(statement) }
            guard rc == SQLITE_DONE else { throw database.error(rc, sql: sql) }
            return database.changes()
        }
    }
}
