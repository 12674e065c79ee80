import Core
import Foundation
import Store
import Telemetry
import Testing

@Suite("Request log writer")
struct RequestLogWriterTests {
    func database() throws -> Database { try migratedLogDatabase() }

    func entry(_ index: Int) -> RequestLogEntry {
        RequestLogEntry(id: "req_\(index)", createdAtMillis: Int64(1_000 + index), model: "m", provider: "p", status: 200,
                        inputTokens: index, outputTokens: 2 * index, latencyMillis: 5)
    }

    @Test("writes every queued row in batches and flushes on close")
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

    @Test("names exactly the rows it ignored in each multi-row statement, and the rollups count only the others")
    func ignoredRowsAcrossStatements() throws {
        let database = try database()
        // 50 rows go in as statements of 32, 16 and 2: ids already logged in the first, an id twice within the second,
        // and in the third an id the second statement has just written.
        var second = (40..<72).map(entry)
        second += (72..<86).map(entry) + [entry(72), entry(60)]
        second += [entry(86), entry(75)]
        second[46].inputTokens = 9_999
        let skipped = try database.write { connection in
            let repository = RequestLogRepository(connection)
            try repository.record((0..<70).map(entry))
            return try repository.record(second)
        }
        #expect(skipped == Array(0..<30) + [46, 47, 49])
        let totals = try database.read { connection in
            try connection.query("SELECT count(*), sum(input_tokens) FROM requests")[0].values
                + connection.query("SELECT sum(requests), sum(input_tokens) FROM usage_rollups WHERE granularity = ? AND key_id = '*' AND team = '*'",
                                   [RollupGranularity.minute.rawValue])[0].values
        }
        let expectedTokens = (0..<87).reduce(0, +)
        #expect(totals.map(\.int) == [87, expectedTokens, 87, expectedTokens])
    }

    @Test("a full queue spills to the overflow file, which is replayed so no row is lost")
    func spillsAndReplays() throws {
        let database = try database()
        let spill = database.path + ".spill"
        let writer = RequestLogWriter(database: database, spillPath: spill, capacity: 10)
        // Hold the writer off SQLite so the queue fills: a write transaction blocks its commit.
        try database.write { _ in
            for index in 0..<500 { writer.record(entry(index)) }
        }
        #expect(writer.backlog.spilled >= 490)
        writer.close()
        let count = try database.read { try $0.query("SELECT count(*) FROM requests") }
        #expect(count[0][0].int == 500)
        #expect(!FileManager.default.fileExists(atPath: spill))
        #expect(!FileManager.default.fileExists(atPath: spill + ".replay"))
    }

    @Test("rows keep every field through SQLite and through the spill file's JSON")
    func roundTrip() throws {
        var e = entry(7)
        e.endpoint = "messages"
        e.keyID = "key_1"
        e.team = "search"
        e.deploymentID = "mdl_1"
        e.cachedTokens = 3
        e.reasoningTokens = 2
        e.cost = Picodollars(1_234_567)
        e.unpriced = true
        e.cacheHit = true
        e.queueMillis = 1
        e.connectMillis = 2
        e.timeToFirstTokenMillis = 4
        e.errorMessage = "boom"
        e.traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
        e.requestBody = "{}"
        e.responseBody = "{\"x\":1}"
        e.clientRequestID = "client-7"
        var attempt = RequestAttempt(number: 1, provider: "p", upstreamModel: "u", status: 500, outcome: "upstream_error", latencyMillis: 3)
        attempt.deploymentID = "mdl_1"
        attempt.error = "HTTP 500"
        attempt.connectMillis = 1
        attempt.timeToFirstTokenMillis = 2
        attempt.startedMillis = 9
        e.attemptDetails = [attempt]
        e.attempts = 1
        let database = try database()
        try database.write { try RequestLogRepository($0).insert([e]) }
        let stored = try database.read { try RequestLogRepository($0).entry(id: e.id) }
        #expect(stored == e)
        #expect(RequestLogEntry(json: e.json) == e)
        // A client's id finds its latest row; a second row under the same client id is a request of its own, not a replay.
        var again = entry(8)
        again.clientRequestID = "client-7"
        try database.write { _ = try RequestLogRepository($0).record([again]) }
        #expect(try database.read { try RequestLogRepository($0).entry(id: "client-7") }?.id == again.id)
        #expect(try database.read { try RequestLogRepository($0).entry(id: e.id) } == e)
        #expect(try database.read { try RequestLogRepository($0).entry(id: "client-8") } == nil)
    }

    @Test("pauses between statements every so many rows, inside the transaction, and writes what it writes without pauses")
    func pausesInsideATransaction() throws {
        let rows = (0..<200).map(entry)
        let paused = try database(), plain = try database()
        var pausedAfter: [Int] = []
        try paused.write { connection in
            try RequestLogRepository(connection).record(rows, pausingEvery: 50) {
                pausedAfter.append((try? connection.query("SELECT count(*) FROM requests"))?.first?[0].int ?? -1)
            }
        }
        try plain.write { try RequestLogRepository($0).record(rows) }
        #expect(pausedAfter == [64, 128, 192])  // statements of 32 rows: a pause once 50 or more went in since the last
        let usage = UsageQuery(fromMillis: 0, toMillis: 10_000_000, groupBy: [.model], bucket: .day)
        let totals = { (database: Database) in try database.read { try RequestLogRepository($0).usage(usage) }.rows.map(\.totals) }
        #expect(try totals(paused) == totals(plain) && totals(paused).map(\.requests) == [200])
        #expect(try paused.read { try $0.query("SELECT count(*) FROM requests") }.first?[0].int == 200)
    }

    @Test("a request answered by the one attempt its row implies stores no attempt row and shows that attempt unchanged")
    func impliedAttempt() throws {
        func answered(_ index: Int, errorType: String? = nil) -> RequestLogEntry {
            var e = entry(index)
            e.upstreamModel = "u"
            e.deploymentID = "mdl_1"
            e.queueMillis = 0
            e.connectMillis = 1
            e.timeToFirstTokenMillis = 3
            if let errorType {
                e.status = 502
                e.errorType = errorType
                e.errorMessage = "Provider 'p' sent an invalid response."
            }
            e.attempts = 1
            e.attemptDetails = [try! #require(e.impliedAttempt)]
            return e
        }
        var slower = answered(3)
        slower.attemptDetails[0].latencyMillis = 4  // the attempt started after a wait: not what the row implies
        var failedOver = answered(4)
        failedOver.attempts = 2
        failedOver.attemptDetails = [RequestAttempt(number: 1, provider: "q", upstreamModel: "u", status: 500, outcome: "HTTP 500", latencyMillis: 1),
                                     RequestAttempt(number: 2, provider: "p", upstreamModel: "u", status: 200, outcome: "ok", latencyMillis: 4)]
        let rows = [answered(1), answered(2, errorType: "upstream_response_invalid"), slower, failedOver]
        let database = try database()
        try database.write { try RequestLogRepository($0).insert(rows) }
        let stored = try database.read { try $0.query("SELECT request_id, count(*) FROM request_attempts GROUP BY request_id ORDER BY request_id") }
        #expect(stored.map { $0[0].string } == ["req_3", "req_4"] && stored.map { $0[1].int } == [1, 2])
        for row in rows {
            let read = try #require(try database.read { try RequestLogRepository($0).entry(id: row.id) })
            #expect(read.json["attempts_detail"] == row.json["attempts_detail"], "\(row.id)")
            #expect(read.json["attempts_detail"]?.arrayValue?.count == row.attempts)
        }
    }

    @Test("usage from the rollups equals the sums over the raw rows, for every grouping and bucket")
    func usageMatchesRawRows() throws {
        let database = try database()
        let day: Int64 = 86_400_000
        let start: Int64 = 1_790_000_000_000 - 1_790_000_000_000 % day
        var rows: [RequestLogEntry] = []
        for index in 0..<3_000 {
            var e = RequestLogEntry(id: "u_\(index)", createdAtMillis: start + Int64(index) * 97_531, model: ["a", "b", "c"][index % 3],
                                    provider: ["p", "q"][index % 2], status: index % 17 == 0 ? 502 : 200, inputTokens: index % 50,
                                    outputTokens: index % 7, latencyMillis: index % 900)
            e.keyID = index % 5 == 0 ? nil : "key_\(index % 4)"
            e.team = e.keyID == nil ? nil : "team_\(index % 2)"
            e.cost = Picodollars(Int64(index) * 1_000_003)
            e.cacheHit = index % 11 == 0
            rows.append(e)
        }
        let writer = RequestLogWriter(database: database)
        for row in rows { writer.record(row) }
        writer.close()
        // An unaligned range over several days: answered from day, hour and minute rollups together.
        let from = start + 3 * 3_600_000 + 17 * 60_000
        let to = start + 3 * day + 5 * 3_600_000 + 42 * 60_000
        let inRange = rows.filter { $0.createdAtMillis >= from && $0.createdAtMillis < to }
        for bucket in [nil, RollupGranularity.hour, .day] as [RollupGranularity?] {
          // Per-key usage is kept by the day, so hourly buckets cannot be asked for by key.
          for groupBy in [[UsageDimension.model, .key], [.model], [.team, .status], []] where bucket != .hour || !groupBy.contains(.key) {
            let query = UsageQuery(fromMillis: from, toMillis: to, groupBy: groupBy, bucket: bucket)
            let covered = query.coveredRange
            let expected = rows.filter { $0.createdAtMillis >= covered.from && $0.createdAtMillis < covered.to }
            let answer = try database.read { try RequestLogRepository($0).usage(query) }.rows
            #expect(answer.reduce(0) { $0 + $1.totals.requests } == expected.count)
            #expect(answer.reduce(Picodollars.zero) { $0 + $1.totals.cost } == expected.reduce(Picodollars.zero) { $0 + $1.cost })
            #expect(answer.reduce(0) { $0 + $1.totals.inputTokens } == expected.reduce(0) { $0 + ($1.inputTokens ?? 0) })
            #expect(answer.reduce(0) { $0 + $1.totals.errors } == expected.filter { $0.status >= 400 }.count)
            #expect(answer.reduce(0) { $0 + $1.totals.cacheHits } == expected.filter(\.cacheHit).count)
            if groupBy == [.model, .key] {
                let modelA = answer.filter { $0.group[.model] == "a" && $0.group[.key] == "key_1" }.reduce(0) { $0 + $1.totals.requests }
                #expect(modelA == expected.filter { $0.model == "a" && $0.keyID == "key_1" }.count)
            }
            if groupBy == [.model] { #expect(answer.allSatisfy { $0.group[.model] != nil && $0.group[.key] == nil }) }
          }
        }
        #expect(inRange.count > 1_000)
        let filtered = try database.read {
            try RequestLogRepository($0).usage(UsageQuery(fromMillis: from, toMillis: to, filters: [.provider: "q", .status: "502"])).rows
        }
        #expect(filtered.first?.totals.requests == inRange.filter { $0.provider == "q" && $0.status == 502 }.count)
    }

    @Test("retention deletes old raw rows, attempts and minute rollups in batches; older usage is answered by the hour")
    func retention() throws {
        let database = try database()
        let hour: Int64 = 3_600_000
        let base: Int64 = 1_790_000_000_000 - 1_790_000_000_000 % hour
        var rows: [RequestLogEntry] = []
        for index in 0..<120 {
            var e = entry(index)
            e.createdAtMillis = base + Int64(index) * 60_000  // two hours, one row a minute
            e.attemptDetails = [RequestAttempt(number: 1, provider: "p", upstreamModel: "m", status: 200, outcome: "ok", latencyMillis: 5)]
            rows.append(e)
        }
        try database.write { _ = try RequestLogRepository($0).record(rows) }
        let cutoff = base + hour  // the first hour expires
        var deleted = 0
        while true {
            let batch = try database.write { connection -> Int in
                let repository = RequestLogRepository(connection)
                return try repository.deleteRequests(olderThan: cutoff, limit: 25) + repository.deleteRollups(.minute, olderThan: cutoff, limit: 25)
            }
            if batch == 0 { break }
            deleted += batch
        }
        #expect(deleted == 60 + 2 * 60)  // rows, and minute cells at the team and overall levels
        let counts = try database.read { try $0.query("SELECT (SELECT count(*) FROM requests), (SELECT count(*) FROM request_attempts)") }
        #expect(counts[0][0].int == 60 && counts[0][1].int == 60)
        // A range starting mid-way through the expired hour is widened to the hour, which the hour rollup still answers.
        let answer = try database.read {
            try RequestLogRepository($0).usage(UsageQuery(fromMillis: base + 30 * 60_000, toMillis: base + 2 * hour))
        }
        #expect(answer.from == base)
        #expect(answer.rows.reduce(0) { $0 + $1.totals.requests } == 120)
    }
}
