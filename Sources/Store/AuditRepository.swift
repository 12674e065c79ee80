/// One audit entry: an admin write with the resource before and after (as rendered by the API).
public struct AuditRecord: Sendable, Equatable {
    public var id: Int64 = 0
    public var at: Int64
    public var actor: String
    /// `create`, `update` or `delete`.
    public var action: String
    public var resource: String
    public var resourceID: String
    public var configVersion: Int
    public var summary: String
    /// JSON text, or nil (nothing before a create, nothing after a delete).
    public var before: String?
    public var after: String?

    public init(at: Int64, actor: String, action: String, resource: String, resourceID: String, configVersion: Int, summary: String,
                before: String?, after: String?) {
        self.at = at
        self.actor = actor
        self.action = action
        self.resource = resource
        self.resourceID = resourceID
        self.configVersion = configVersion
        self.summary = summary
        self.before = before
        self.after = after
    }
}

/// The `audit_log` table.
extension ConfigRepository {
    static let auditColumns = "id, at, actor, action, resource, resource_id, config_version, summary, before, after"

    public func insert(_ a: AuditRecord) throws {
        try connection.execute("""
            INSERT INTO audit_log (at, actor, action, resource, resource_id, config_version, summary, before, after)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [a.at, a.actor, a.action, a.resource, a.resourceID, a.configVersion, a.summary, a.before, a.after])
    }

    /// Entries newest first, optionally of one resource type, before `cursor` (an entry id).
    public func audit(limit: Int, cursor: String?, resource: String?) throws -> Page<AuditRecord> {
        let rows = try connection.query("""
            SELECT \(Self.auditColumns) FROM audit_log WHERE id < ? AND (? IS NULL OR resource = ?) ORDER BY id DESC LIMIT ?
            """, [cursor.flatMap { Int64($0) } ?? Int64.max, resource, resource, limit + 1])
        let items = rows.prefix(limit).map { row in
            var record = AuditRecord(at: row[1].int64 ?? 0, actor: row[2].string ?? "", action: row[3].string ?? "", resource: row[4].string ?? "",
                                     resourceID: row[5].string ?? "", configVersion: row[6].int ?? 0, summary: row[7].string ?? "",
                                     before: row[8].string, after: row[9].string)
            record.id = row[0].int64 ?? 0
            return record
        }
        return Page(items: Array(items), nextCursor: rows.count > limit ? items.last.map { String($0.id) } : nil)
    }
}
