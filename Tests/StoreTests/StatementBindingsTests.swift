import Store
import Testing

@Suite("Statement bindings")
struct StatementBindingsTests {
    @Test("values bound in order read back as they were: text (empty, non-ASCII, NUL inside), integers, booleans and NULLs")
    func roundTrip() throws {
        let database = try Database(path: temporaryDatabasePath())
        let texts: [String?] = ["plain", "", "naïve — 日本語 🚀", "a\u{0}b", nil]
        try database.write { connection in
            try connection.execute("CREATE TABLE t (n INTEGER, s TEXT, i INTEGER, b INTEGER, big INTEGER)")
            for (number, text) in texts.enumerated() {
                let changed = try connection.execute("INSERT INTO t (n, s, i, b, big) VALUES (?, ?, ?, ?, ?)") { row in
                    row.add(number)
                    row.add(text)
                    row.add(number.isMultiple(of: 2) ? nil : -number as Int?)
                    row.add(number == 1)
                    row.add(Int64.max - Int64(number))
                }
                #expect(changed == 1)
            }
        }
        let rows = try database.read { try $0.query("SELECT s, i, b, big, length(CAST(s AS BLOB)) FROM t ORDER BY n") }
        #expect(rows.map { $0[0].string } == texts)
        #expect(rows.map { $0[1].int } == [nil, -1, nil, -3, nil])
        #expect(rows.map { $0[2].bool } == [false, true, false, false, false])
        #expect(rows.map { $0[3].int64 } == (0..<5).map { Int64.max - Int64($0) })
        #expect(rows[3][4].int == 3)  // all three bytes of "a\0b", not cut at the NUL
    }

    @Test("blobs bound in order read back as they were, an empty one as an empty blob rather than NULL")
    func blobs() throws {
        let database = try Database(path: temporaryDatabasePath())
        let blobs: [[UInt8]] = [[1, 0, 255], [], Array(0...255)]
        try database.write { connection in
            try connection.execute("CREATE TABLE b (n INTEGER, v BLOB)")
            for (number, blob) in blobs.enumerated() {
                try connection.execute("INSERT INTO b (n, v) VALUES (?, ?)") { row in
                    row.add(number)
                    row.add(blob: blob)
                }
            }
        }
        let rows = try database.read { try $0.query("SELECT v, v IS NULL, typeof(v) FROM b ORDER BY n") }
        #expect(rows.map { $0[0] } == blobs.map { SQLValue.blob($0) })
        #expect(rows.map { $0[1].bool } == [false, false, false])
        #expect(rows.map { $0[2].string } == ["blob", "blob", "blob"])
    }

    @Test("text bound through the general execute path keeps every byte: empty, non-ASCII and NUL inside")
    func textThroughGeneralPath() throws {
        let database = try Database(path: temporaryDatabasePath())
        let texts = ["", "naïve — 日本語 🚀", "a\u{0}b", String(repeating: "long ", count: 40)]
        try database.write { connection in
            try connection.execute("CREATE TABLE t (n INTEGER, s TEXT)")
            for (number, text) in texts.enumerated() { try connection.execute("INSERT INTO t (n, s) VALUES (?, ?)", [number, text]) }
        }
        let rows = try database.read { try $0.query("SELECT s, s IS NULL, length(CAST(s AS BLOB)) FROM t ORDER BY n") }
        #expect(rows.map { $0[0].string } == texts)
        #expect(rows.map { $0[1].bool } == [false, false, false, false])
        #expect(rows.map { $0[2].int } == texts.map { $0.utf8.count })
    }

    @Test("a failing statement throws and leaves the cached statement usable")
    func failureThenReuse() throws {
        let database = try Database(path: temporaryDatabasePath())
        try database.write { try $0.execute("CREATE TABLE u (id TEXT PRIMARY KEY)") }
        let insert = "INSERT INTO u (id) VALUES (?)"
        try database.write { try $0.execute(insert) { $0.add("a") } }
        #expect(throws: (any Error).self) { try database.write { try $0.execute(insert) { $0.add("a") } } }
        #expect(try database.write { try $0.execute("INSERT OR IGNORE INTO u (id) VALUES (?)") { $0.add("a") } } == 0)
        try database.write { try $0.execute(insert) { $0.add("b") } }
        #expect(try database.read { try $0.query("SELECT count(*) FROM u") }.first?[0].int == 2)
    }

    @Test("binding fewer values than the statement has parameters throws instead of reusing the previous row's")
    func missingValue() throws {
        let database = try Database(path: temporaryDatabasePath())
        let insert = "INSERT INTO v (a, b) VALUES (?, ?)"
        try database.write { connection in
            try connection.execute("CREATE TABLE v (a TEXT, b TEXT)")
            try connection.execute(insert) { $0.add("first"); $0.add("second") }
        }
        #expect(throws: (any Error).self) { try database.write { try $0.execute(insert) { $0.add("only") } } }
        #expect(throws: (any Error).self) { try database.write { try $0.execute(insert) { $0.add("1"); $0.add("2"); $0.add("3") } } }
        #expect(try database.read { try $0.query("SELECT count(*) FROM v") }.first?[0].int == 1)
    }

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
