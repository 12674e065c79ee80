import Core
import Store

/// The control plane's write path: each committed config change becomes a numbered version and a new
/// snapshot published to the data plane. Not thread-safe by itself: the admin handler serialises calls.
public final class ConfigService: @unchecked Sendable {
    // Safety: used only from the admin handler's serial queue (and at start-up before it exists).
    let database: Database
    let publisher: SnapshotPublisher
    /// Runs after each snapshot is published, on the admin queue (SQLite may be read here).
    public var onPublish: ((ConfigSnapshot) -> Void)?

    public init(database: Database, publisher: SnapshotPublisher) {
        self.database = database
        self.publisher = publisher
    }

    /// Runs `body` in one transaction, records a new config version (when `body` changed something) and publishes.
    @discardableResult
    func commit<T>(author: String = "admin", summary: String, _ body: (ConfigRepository) throws -> T) throws -> T {
        let result = try database.write { connection in
            let repository = ConfigRepository(connection)
            let value = try body(repository)
            _ = try repository.recordVersion(author: author, summary: summary, at: Timestamp.nowMillis())
            return value
        }
        try publishCurrent()
        return result
    }

    /// Reads `body` without writing.
    func read<T>(_ body: (ConfigRepository) throws -> T) throws -> T {
        try database.read { try body(ConfigRepository($0)) }
    }

    /// Builds the snapshot of the committed configuration and makes it live.
    public func publishCurrent() throws {
        let snapshot = try database.read { connection in
            let repository = ConfigRepository(connection)
            return SnapshotBuilder.build(version: try repository.currentVersion(), providers: try repository.providers().items,
                                         models: try repository.models().items, routes: try repository.routes().items,
                                         catalog: try repository.catalog().items, keys: try repository.keys().items,
                                         teams: try repository.teams().items, now: Timestamp.nowMillis())
        }
        publisher.publish(snapshot)
        onPublish?(snapshot)
    }
}
