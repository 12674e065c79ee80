import Core
import Foundation
import Store
import Testing

/// A fresh temporary database path, removed by the caller with `cleanUp`.
func temporaryDatabasePath() -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sy-store-\(Identifier.make("t"))")
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory.path + "/test.db"
}

/// The repository's real migrations directory.
func repositoryMigrations() -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("migrations").path
}

@Suite("Migrator")
struct MigratorTests {
    @Test("applies the real migrations once, recording checksums")
    func appliesOnce() throws {
        let database = try Database(path: temporaryDatabasePath())
        let migrator = try Migrator(directory: repositoryMigrations())
        let applied = try migrator.migrate(database)
        #expect(applied.first == 1)
        #expect(try migrator.migrate(database).isEmpty)
        let rows = try database.read { try $0.query("SELECT version, checksum FROM schema_migrations ORDER BY version") }
        #expect(rows.count == migrator.migrations.count)
        #expect(rows[0][1].string == migrator.migrations[0].checksum)
    }

    @Test("refuses to start when an applied migration changed")
    func refusesChanged() throws {
        let path = temporaryDatabasePath()
        let database = try Database(path: path)
        try Migrator(migrations: [.init(version: 1, name: "a", sql: "CREATE TABLE a (x INTEGER);")]).migrate(database)
        let edited = try Migrator(migrations: [.init(version: 1, name: "a", sql: "CREATE TABLE a (x TEXT);")])
        #expect {
            try edited.migrate(database)
        } throws: { error in
            "\(error)".contains("checksum mismatch")
        }
    }

    @Test("rolls back a failing migration and applies nothing of it")
    func rollsBack() throws {
        let database = try Database(path: temporaryDatabasePath())
        let broken = try Migrator(migrations: [.init(version: 1, name: "a", sql: "CREATE TABLE a (x INTEGER); INSERT INTO nope VALUES (1);")])
        #expect(throws: StoreError.self) { try broken.migrate(database) }
        let tables = try database.read { try $0.query("SELECT name FROM sqlite_master WHERE name = 'a'") }
        #expect(tables.isEmpty)
    }
}

@Suite("Config repository")
struct ConfigRepositoryTests {
    @Test("pages providers by cursor and counts versions")
    func paging() throws {
        let database = try Database(path: temporaryDatabasePath())
        try Migrator(directory: repositoryMigrations()).migrate(database)
        try database.write { connection in
            let repository = ConfigRepository(connection)
            for index in 0..<5 {
                try repository.insert(ProviderRecord(id: "prv_\(index)", name: "p\(index)", kind: "openai", baseURL: "http://x",
                                                     apiKeyRef: nil, createdAt: 0, updatedAt: 0))
                _ = try repository.recordVersion(author: "t", summary: "add", at: 0)
            }
        }
        let (first, second, version) = try database.read { connection in
            let repository = ConfigRepository(connection)
            let first = try repository.providers(limit: 3)
            return (first, try repository.providers(limit: 3, cursor: first.nextCursor), try repository.currentVersion())
        }
        #expect(first.items.map(\.name) == ["p0", "p1", "p2"])
        #expect(second.items.map(\.name) == ["p3", "p4"])
        #expect(second.nextCursor == nil)
        #expect(version == 5)
    }
}
