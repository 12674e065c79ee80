/// A stored secret: its name, its sealed value (never plaintext) and times.
public struct SecretRecord: Sendable, Equatable {
    public var name: String
    public var sealed: [UInt8]
    public var createdAt: Int64
    public var updatedAt: Int64
    public init(name: String, sealed: [UInt8], createdAt: Int64, updatedAt: Int64) {
        self.name = name
        self.sealed = sealed
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// The `secrets` table.
extension ConfigRepository {
    static func secret(from row: Row) -> SecretRecord {
        var sealed: [UInt8] = []
        if case .blob(let bytes) = row[1] { sealed = bytes }
        return SecretRecord(name: row[0].string ?? "", sealed: sealed, createdAt: row[2].int64 ?? 0, updatedAt: row[3].int64 ?? 0)
    }

    /// Secrets by name, after `cursor` (a name).
    public func secrets(limit: Int = Int(Int32.max), cursor: String? = nil) throws -> Page<SecretRecord> {
        let rows = try connection.query("SELECT name, sealed, created_at, updated_at FROM secrets WHERE name > ? ORDER BY name LIMIT ?",
                                        [cursor ?? "", limit + 1])
        let items = rows.prefix(limit).map(Self.secret)
        return Page(items: Array(items), nextCursor: rows.count > limit ? items.last?.name : nil)
    }

    public func secret(name: String) throws -> SecretRecord? {
        try connection.query("SELECT name, sealed, created_at, updated_at FROM secrets WHERE name = ?", [name]).first.map(Self.secret)
    }

    /// Inserts or replaces a secret.
    public func save(_ s: SecretRecord) throws {
        try connection.execute("""
            INSERT INTO secrets (name, sealed, created_at, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at
            """, [s.name, SQLValue.blob(s.sealed), s.createdAt, s.updatedAt])
    }

    public func deleteSecret(name: String) throws {
        try connection.execute("DELETE FROM secrets WHERE name = ?", [name])
    }
}
