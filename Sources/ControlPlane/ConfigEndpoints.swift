import Core
import HTTPKit
import Store

/// The config lifecycle under `/admin/v1/config`: numbered versions with author and summary, the whole
/// config at any recorded version, the diff between two, rollback (an old version published as a new
/// one), export as one document and import, planned (`dry_run=true`) or applied all-or-nothing.
struct ConfigEndpoints {
    let config: ConfigService

    func perform(_ route: AdminHandler.Route, _ request: HTTPRequest, id: String) throws -> HTTPResponse {
        switch route {
        case .configVersions:
            let (limit, cursor) = try Pagination.read(request.query)
            let (page, first) = try config.read { (try $0.versions(limit: limit, cursor: cursor), try $0.firstRecordedVersion()) }
            return Pagination.response(page.items.map { version in Self.render(version, recorded: first.map { version.version >= $0 } ?? false) },
                                       next: page.nextCursor)
        case .configVersion:
            let version = try Self.versionNumber(id, field: "version")
            return .json(200, try document(at: version).json(version: version))
        case .configDiff:
            let from = try Self.versionNumber(request.query["from"], field: "from")
            let to = try request.query["to"].map { try Self.versionNumber($0, field: "to") } ?? config.read { try $0.currentVersion() }
            let changes = ConfigDocument.changes(from: try document(at: from).texts, to: try document(at: to).texts)
            return .json(200, .object([("from", .int(from)), ("to", .int(to)), ("changes", .array(changes.map(Self.render)))]))
        case .configExport:
            let (version, document) = try config.read { (try $0.currentVersion(), try ConfigDocument.current($0)) }
            return .json(200, document.json(version: version))
        case .configImport:
            let dryRun = try Self.flag(request.query["dry_run"])
            return .json(200, try importDocument(request.body, dryRun: dryRun, summary: { "import config: \($0)" }))
        case .configRollback:
            let target = try FieldReader(body: request.body, allowed: ["version"]).int("version", in: 1...Int(Int32.max))
            guard let target else { throw AdminError.invalid("version", "is required") }
            let version = try document(at: target)
            let body = JSONWriter.encode(version.json(version: target))
            return .json(200, try importDocument(body, dryRun: false, summary: { "roll back to version \(target): \($0)" }))
        default:
            throw AdminError(500, "unexpected route")
        }
    }

    /// Plans, and unless `dryRun` applies, a document over the config in force.
    private func importDocument(_ body: [UInt8], dryRun: Bool, summary: (String) -> String) throws -> JSONValue {
        let imported = try ConfigImport.read(body, now: Timestamp.nowMillis())
        let (before, current) = try config.read { (try $0.currentVersion(), try ConfigDocument.current($0)) }
        let plan = ConfigImport.plan(from: current, to: imported.document(secretNames: current.secretNames))
        guard !dryRun else { return .object([("dry_run", .bool(true)), ("version", .int(before)), ("plan", plan)]) }
        let counts = ["created", "changed", "deleted"].map { "\(plan[$0]?.arrayValue?.count ?? 0) \($0)" }.joined(separator: ", ")
        try config.commit(summary: summary(counts), change: AuditChange(resource: "config", id: "import", before: .object([("version", .int(before))]),
                                                                        after: plan)) { repository in
            // Planned and applied against the same committed state: the admin queue runs one write at a time.
            try imported.apply(repository, over: try ConfigDocument.current(repository), secretNames: current.secretNames)
        }
        let after = try config.read { try $0.currentVersion() }
        return .object([("dry_run", .bool(false)), ("version", .int(after)), ("plan", plan)])
    }

    /// The config as it stood at `version`: 404 for a version that does not exist, 409 for one committed
    /// before versions were recorded.
    private func document(at version: Int) throws -> ConfigDocument {
        try config.read { repository in
            guard version <= (try repository.currentVersion()), version >= 1 else { throw AdminError.notFound("config version", String(version)) }
            guard let first = try repository.firstRecordedVersion(), version >= first else {
                throw AdminError.conflict("config version \(version) was committed before versions were recorded; it cannot be rebuilt")
            }
            return ConfigDocument(texts: try repository.objects(at: version), secretNames: try repository.secrets().items.map(\.name))
        }
    }

    static func versionNumber(_ text: String?, field: String) throws(AdminError) -> Int {
        guard let text, let number = Int(text), number >= 1 else { throw AdminError(400, "\(field) must be a config version number", field: field) }
        return number
    }

    static func flag(_ text: String?) throws(AdminError) -> Bool {
        switch text {
        case nil, "false", "0": return false
        case "true", "1", "": return true
        default: throw AdminError(400, "dry_run must be true or false", field: "dry_run")
        }
    }

    static func render(_ v: ConfigVersionRecord, recorded: Bool) -> JSONValue {
        .object([("version", .int(v.version)), ("created_at", .string(Timestamp.iso8601(v.createdAt))), ("author", .string(v.author)),
                 ("summary", .string(v.summary)), ("changes", .int(v.changes)), ("recorded", .bool(recorded))])
    }

    static func render(_ change: (key: ConfigObjectKey, before: String?, after: String?)) -> JSONValue {
        func parsed(_ text: String?) -> JSONValue { text.flatMap { try? JSONParser.parse(Array($0.utf8)) } ?? .null }
        let kind = change.before == nil ? "created" : change.after == nil ? "deleted" : "changed"
        return .object([("kind", .string(change.key.kind)), ("id", .string(change.key.id)), ("change", .string(kind)),
                        ("before", parsed(change.before)), ("after", parsed(change.after))])
    }
}
