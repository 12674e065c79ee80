import Core

/// Applies `migrations/NNNN_name.sql` files in order, one transaction each, recording a SHA-256 checksum;
/// refuses to start when an applied migration's file has changed or disappeared.
public struct Migrator {
    /// One migration file.
    public struct Migration: Sendable {
        public let version: Int
        public let name: String
        public let sql: String
        public init(version: Int, name: String, sql: String) {
            self.version = version
            self.name = name
            self.sql = sql
        }
        public var checksum: String { Crypto.sha256Hex(Array(sql.utf8)) }
    }

    public let migrations: [Migration]

    /// Reads every `NNNN_name.sql` file in `directory`.
    public init(directory: String) throws {
        let files: [String]
        do {
            files = try Platform.listDirectory(directory).sorted()
        } catch {
            throw StoreError(code: 0, message: "cannot read the migrations directory: \(error)")
        }
        var migrations: [Migration] = []
        for file in files where file.hasSuffix(".sql") {
            let stem = file.dropLast(4)
            guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]) else {
                throw StoreError(code: 0, message: "migration file \(file) is not named NNNN_name.sql")
            }
            guard let bytes = Platform.readFile(directory + "/" + file), let sql = String(validating: bytes, as: UTF8.self) else {
                throw StoreError(code: 0, message: "cannot read migration \(file) as UTF-8 text")
            }
            migrations.append(Migration(version: version, name: String(stem[stem.index(after: underscore)...]), sql: sql))
        }
        try self.init(migrations: migrations)
    }

    public init(migrations: [Migration]) throws {
        self.migrations = migrations.sorted { $0.version < $1.version }
        for (a, b) in zip(self.migrations, self.migrations.dropFirst()) where a.version == b.version {
            throw StoreError(code: 0, message: "two migrations share version \(a.version)")
        }
    }

    /// Brings `database` up to date; returns the versions applied now.
    @discardableResult
    public func migrate(_ database: Database) throws -> [Int] {
        try database.read { connection in
            try connection.execute("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at INTEGER NOT NULL)
                """)
        }
        let applied = try database.read { connection in
            try connection.query("SELECT version, name, checksum FROM schema_migrations ORDER BY version")
        }
        let known = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
        for row in applied {
            let version = row[0].int ?? -1
            guard let migration = known[version] else {
                throw StoreError(code: 0, message: "database has migration \(version) (\(row[1].string ?? "")) that this build does not know; refusing to start")
            }
            guard migration.checksum == row[2].string else {
                throw StoreError(code: 0, message: "migration \(String(repeating: "0", count: max(0, 4 - String(version).count)))\(version)_\(migration.name).sql was changed after it was applied (checksum mismatch); refusing to start. Add a new migration instead of editing an applied one.")
            }
        }
        let appliedVersions = Set(applied.compactMap { $0[0].int })
        var newlyApplied: [Int] = []
        for migration in migrations where !appliedVersions.contains(migration.version) {
            try database.write { connection in
                try connection.executeScript(migration.sql)
                try connection.execute("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)",
                                       [migration.version, migration.name, migration.checksum, Timestamp.nowMillis()])
            }
            newlyApplied.append(migration.version)
        }
        return newlyApplied
    }
}
