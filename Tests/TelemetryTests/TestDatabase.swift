import Core
import Foundation
import Store

/// A new database in a temporary folder with the repository's real migrations applied.
func migratedLogDatabase() throws -> Database {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sy-log-\(Identifier.make("t"))")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let database = try Database(path: directory.path + "/log.db")
    let migrations = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("migrations").path
    try Migrator(directory: migrations).migrate(database)
    return database
}
