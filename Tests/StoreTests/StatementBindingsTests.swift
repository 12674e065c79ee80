import Store
import Testing

@Suite("Bulk statement bindings")
struct StatementBindingsTests {
    @Test("texts of any length, empty or absent read back as bound, run after run of the same and other statements")
    func textsRoundTrip() throws {
        let database = try Database(path: temporaryDatabasePath())
        let insert = "INSERT INTO t (a, b, c, n) VALUES (?, ?, ?, ?)"
        let rows: [(String?, String?, String?, Int)] = [
            ("", nil, "é€😀", 1), (String(repeating: "x", count: 5_000), "b", "", 2), (nil, nil, nil, 3), ("short", "ü", "🙂🙂", 4),
        ]
        try database.write { connection in
            try connection.execute("CREATE TABLE t (a TEXT, b TEXT, c TEXT, n INTEGER)")
            for row in rows {
                try connection.execute(insert) { bind in bind.add(row.0); bind.add(row.1); bind.add(row.2); bind.add(row.3) }
                // Another statement in between reuses the bound bytes' buffer.
                try connection.execute("UPDATE t SET n = n WHERE a = ?") { bind in bind.add(String(repeating: "y", count: 3_000)) }
            }
        }
        let read = try database.read { try $0.query("SELECT a, b, c, n FROM t ORDER BY n") }
        #expect(read.count == rows.count)
        for (row, expected) in zip(read, rows) {
            #expect(row[0].string == expected.0 && row[1].string == expected.1 && row[2].string == expected.2 && row[3].int == expected.3)
        }
        // An empty text is '' and an absent one NULL, not the other way round.
        #expect(try database.read { try $0.query("SELECT count(*) FROM t WHERE a = '' OR c = ''") }.first?[0].int == 2)
        #expect(try database.read { try $0.query("SELECT count(*) FROM t WHERE a IS NULL") }.first?[0].int == 1)
    }
}
