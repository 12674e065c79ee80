import CSQLite
import Store
import Testing

@Suite("SQLite process settings")
struct ProcessSettingsTests {
    @Test("memory statistics are off once a database is open (keeping them takes a global mutex on every allocation)")
    func noMemoryStatistics() throws {
        let database = try Database(path: temporaryDatabasePath())
        try database.write { connection in
            try connection.execute("CREATE TABLE t (s TEXT)")
            for _ in 0..<100 { try connection.execute("INSERT INTO t (s) VALUES (?)") { $0.add(String(repeating: "x", count: 500)) } }
        }
        #expect(try database.read { try $0.query("SELECT count(*) FROM t") }.first?[0].int == 100)
        #expect(sqlite3_memory_used() == 0)
    }
}
