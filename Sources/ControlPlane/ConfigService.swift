import Core
import Store

/// The control plane's write path: each committed config change becomes a numbered version (recording the
/// objects it changed, so any later version can be rebuilt) and a new snapshot published to the data plane. Not thread-safe by itself: the admin handler serialises calls.
public final class ConfigService: @unchecked Sendable {
    // Safety: used only from the admin handler's serial queue (and at start-up before it exists).
    let database: Database
    let publisher: SnapshotPublisher
    /// Runs after each snapshot is published, on the admin queue (SQLite may be read here).
    public var onPublish: ((ConfigSnapshot) -> Void)?
    /// Data planes long-polling for the next version.
    public let watchers = ConfigWatchers()

    /// The 32-byte key secrets are sealed with.
    let masterKey: [UInt8]
    let logger = Logger(label: "config")

    public init(database: Database, publisher: SnapshotPublisher, masterKey: [UInt8]) {
        self.database = database
        self.publisher = publisher
        self.masterKey = masterKey
    }

    /// Every stored secret, opened (for the snapshot only). One that does not open is left out and logged by name.
    func openSecrets(_ records: [SecretRecord]) -> [String: String] {
        var opened: [String: String] = [:]
        for record in records {
            do {
                let plain = try SecretBox.open(record.sealed, key: masterKey, associatedData: Array(record.name.utf8))
                opened[record.name] = String(decoding: plain, as: UTF8.self)
            } catch {
                logger.error("a stored secret cannot be opened with the master key", [("secret", record.name)])
            }
        }
        return opened
    }

    /// Who admin writes are recorded as in the audit log (the admin token's id).
    public var actor = "admin"

    /// Each config object's text as last recorded (nil until the first commit reads it back).
    private var recordedObjects: [ConfigObjectKey: String]?

    /// Runs `body` in one transaction, records a new config version and, for admin writes, the audit entry of
    /// `change` (when `body` throws, neither is kept), then publishes.
    @discardableResult
    func commit<T>(author: String? = nil, summary: String, change: AuditChange? = nil, _ body: (ConfigRepository) throws -> T) throws -> T {
        let now = Timestamp.nowMillis()
        var recorded: [ConfigObjectKey: String]?
        let result = try database.write { connection in
            let repository = ConfigRepository(connection)
            let value = try body(repository)
            let version = try repository.recordVersion(author: author ?? actor, summary: summary, at: now)
            recorded = try recordObjects(repository, version: version)
            if let change {
                try repository.insert(AuditRecord(at: now, actor: author ?? actor, action: change.action, resource: change.resource,
                                                  resourceID: change.id, configVersion: version, summary: summary,
                                                  before: change.before.map(JSONWriter.string), after: change.after.map(JSONWriter.string)))
            }
            return value
        }
        recordedObjects = recorded
        try publishCurrent()
        return result
    }

    /// Records the objects `version` changed (every object, the first time: the baseline); returns them all.
    private func recordObjects(_ repository: ConfigRepository, version: Int) throws -> [ConfigObjectKey: String] {
        let previous = try recordedObjects ?? repository.objects(at: version - 1)
        let current = try ConfigDocument.current(repository).texts
        try repository.recordObjects(version: version, ConfigDocument.changes(from: previous, to: current).map { ($0.key, $0.after) })
        return current
    }

    /// What a data plane receives for the live version: the config document and the values of the stored
    /// secrets (`secret:` references resolve on the data plane from these; `env:` and `file:` from its own
    /// environment and files). Only ever sent over the data-plane channel.
    func distribution() throws -> JSONValue {
        try read { repository in
            let version = try repository.currentVersion()
            let records = try repository.secrets().items
            let secrets = openSecrets(records)
            return .object([("version", .int(version)),
                            ("document", try ConfigDocument.current(repository).json(version: version)),
                            ("secrets", .object(secrets.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))])
        }
    }

    /// Reads `body` without writing.
    func read<T>(_ body: (ConfigRepository) throws -> T) throws -> T {
        try database.read { try body(ConfigRepository($0)) }
    }

    /// Records a cost alert about `resource` `id` in the audit log (actor `alerts`, action `alert`), at the live
    /// config version; a failure is logged, never thrown at the data plane.
    public func recordAlert(summary: String, resource: String, id: String, alert: JSONValue) {
        do {
            try database.write { connection in
                let repository = ConfigRepository(connection)
                try repository.insert(AuditRecord(at: Timestamp.nowMillis(), actor: "alerts", action: "alert", resource: resource,
                                                  resourceID: id,
                                                  configVersion: try repository.currentVersion(), summary: summary, before: nil,
                                                  after: JSONWriter.string(alert)))
            }
        } catch {
            logger.error("could not record an alert in the audit log", [("error", "\(error)")])
        }
    }

    /// Builds the snapshot of the committed configuration and makes it live.
    public func publishCurrent() throws {
        let snapshot = try database.read { connection in
            let repository = ConfigRepository(connection)
            return SnapshotBuilder.build(version: try repository.currentVersion(), providers: try repository.providers().items,
                                         models: try repository.models().items, routes: try repository.routes().items,
                                         catalog: try repository.catalog().items, keys: try repository.keys().items,
                                         teams: try repository.teams().items, settings: try repository.settings(), secrets: openSecrets(try repository.secrets().items),
                                         now: Timestamp.nowMillis())
        }
        publisher.publish(snapshot)
        onPublish?(snapshot)
        watchers.published(version: snapshot.version)
    }
}

/// What one admin write changed, for the audit log: the resource as the API renders it before and after.
struct AuditChange {
    let resource: String
    let id: String
    let before: JSONValue?
    let after: JSONValue?

    var action: String { before == nil ? "create" : after == nil ? "delete" : "update" }
}
