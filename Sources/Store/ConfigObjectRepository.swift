/// Where a config object sits in the versioned store: its kind (`provider`, `model`, …) and id.
public struct ConfigObjectKey: Hashable, Sendable, Comparable {
    public let kind: String
    public let id: String

    public init(kind: String, id: String) {
        self.kind = kind
        self.id = id
    }

    public static func < (a: ConfigObjectKey, b: ConfigObjectKey) -> Bool { (a.kind, a.id) < (b.kind, b.id) }
}

/// One committed config version, with how many objects it changed.
public struct ConfigVersionRecord: Sendable, Equatable {
    public var version: Int
    public var createdAt: Int64
    public var author: String
    public var summary: String
    public var changes: Int
}

extension ConfigRepository {
    /// Records that `version` changed these objects (a nil body: deleted).
    public func recordObjects(version: Int, _ changes: [(key: ConfigObjectKey, body: String?)]) throws {
        for change in changes {
            try connection.execute("INSERT INTO config_objects (version, kind, id, body) VALUES (?, ?, ?, ?)",
                                   [version, change.key.kind, change.key.id, change.body])
        }
    }

    /// Every object as it stood at `version`: for each one, the latest recorded body at or before it.
    public func objects(at version: Int) throws -> [ConfigObjectKey: String] {
        let rows = try connection.query("""
            SELECT o.kind, o.id, o.body FROM config_objects o
            WHERE o.version = (SELECT max(version) FROM config_objects WHERE kind = o.kind AND id = o.id AND version <= ?)
            """, [version])
        var objects: [ConfigObjectKey: String] = [:]
        for row in rows {
            guard let body = row[2].string else { continue }
            objects[ConfigObjectKey(kind: row[0].string ?? "", id: row[1].string ?? "")] = body
        }
        return objects
    }

    /// The first version whose whole config can be rebuilt (the baseline), or nil when nothing is recorded yet.
    public func firstRecordedVersion() throws -> Int? {
        try connection.query("SELECT min(version) FROM config_objects").first?[0].int
    }

    /// Config versions, newest first, `limit` at a time after the version in `cursor`.
    public func versions(limit: Int, cursor: String? = nil) throws -> Page<ConfigVersionRecord> {
        let before = cursor.flatMap(Int.init) ?? Int.max
        let rows = try connection.query("""
            SELECT v.version, v.created_at, v.author, v.summary, (SELECT count(*) FROM config_objects o WHERE o.version = v.version)
            FROM config_versions v WHERE v.version < ? ORDER BY v.version DESC LIMIT ?
            """, [before, limit + 1])
        let items = rows.prefix(limit).map { row in
            ConfigVersionRecord(version: row[0].int ?? 0, createdAt: row[1].int64 ?? 0, author: row[2].string ?? "",
                                summary: row[3].string ?? "", changes: row[4].int ?? 0)
        }
        return Page(items: Array(items), nextCursor: rows.count > limit ? items.last.map { String($0.version) } : nil)
    }

    /// One version's record, or nil.
    public func version(_ number: Int) throws -> ConfigVersionRecord? {
        try versions(limit: 1, cursor: String(number + 1)).items.first { $0.version == number }
    }
}
