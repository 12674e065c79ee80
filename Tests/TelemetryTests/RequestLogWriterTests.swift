import Core
import Foundation
import Store
import Telemetry
import Testing

@Suite("Request log writer")
struct RequestLogWriterTests {
    func database() throws -> Database {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sy-log-\(Identifier.make("t"))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let database = try Database(path: directory.path + "/log.db")
        let migrations = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("migrations").path
        try Migrator(directory: migrations).migrate(database)
        return database
    }

    func entry(_ index: Int) -> RequestLogEntry {
        RequestLogEntry(id: "req_\(index)", createdAtMillis: Int64(1_000 + index), model: "m", provider: "p", status: 200,
                        inputTokens: index, outputTokens: 2 * index, latencyMillis: 5)
    }

    @Test("writes every queued row, in multi-row batches and singly, and flushes on close")
    func writesEverything() throws {
        let database = try database()
        let writer = RequestLogWriter(database: database)
        for index in 0..<1_150 { writer.record(entry(index)) }
        writer.close()
        let count = try database.read { try $0.query("SELECT count(*), sum(input_tokens), sum(output_tokens) FROM requests") }
        #expect(count[0][0].int == 1_150)
        #expect(count[0][1].int == (0..<1_150).reduce(0, +))
        #expect(count[0][2].int == 2 * (0..<1_150).reduce(0, +))
    }

    @Test("ignores a row whose id was already written (at-least-once delivery)")
    func idempotent() throws {
        let database = try database()
        try database.write { connection in
            let repository = RequestLogRepository(connection)
            try repository.insert((0..<70).map(entry))
            try repository.insert((60..<80).map(entry))
        }
        let page = try database.read { try RequestLogRepository($0).list(filter: .init(), limit: 1000, cursor: nil) }
        #expect(page.items.count == 80)
        #expect(page.items.first?.id == "req_79")
    }
}
