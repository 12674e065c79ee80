import Core
import Store
@testable import Telemetry
import Testing

@Suite("Request log listing")
struct RequestListTests {
    func database(costs: [Int64]) throws -> Database {
        let database = try migratedLogDatabase()
        let rows = costs.enumerated().map { index, cost in
            var entry = RequestLogEntry(id: "req_\(index)", createdAtMillis: Int64(1_000 + index), model: index % 2 == 0 ? "a" : "b",
                                        provider: "p", status: 200, inputTokens: 1, outputTokens: 1, latencyMillis: 5)
            entry.cost = Picodollars(cost)
            return entry
        }
        try database.write { try RequestLogRepository($0).insert(rows) }
        return database
    }

    func all(_ database: Database, filter: RequestLogRepository.Filter = .init(), byCost: Bool, limit: Int) throws -> [String] {
        var ids: [String] = []
        var cursor: String?
        repeat {
            let page = try database.read { try RequestLogRepository($0).list(filter: filter, limit: limit, cursor: cursor, byCost: byCost) }
            ids += page.items.map(\.id)
            cursor = page.nextCursor
        } while cursor != nil
        return ids
    }

    @Test("most expensive first, ties newest first, every row once across pages")
    func byCost() throws {
        let costs: [Int64] = [5, 90, 5, 0, 42, 90, 7, 5, 1, 42, 3]
        let database = try database(costs: costs)
        let expected = costs.indices.sorted { costs[$0] != costs[$1] ? costs[$0] > costs[$1] : $0 > $1 }.map { "req_\($0)" }
        for limit in [1, 2, 3, 100] {
            #expect(try all(database, byCost: true, limit: limit) == expected)
        }
        #expect(try all(database, byCost: false, limit: 4) == costs.indices.reversed().map { "req_\($0)" })
    }

    @Test("a key's requests, newest first across pages, from the per-key index (which holds only rows made with a key)")
    func byKey() throws {
        let database = try migratedLogDatabase()
        let rows = (0..<30).map { index in
            var entry = RequestLogEntry(id: "req_\(index)", createdAtMillis: Int64(1_000 + index / 2), model: "m", status: 200, latencyMillis: 5)
            entry.keyID = index % 3 == 0 ? nil : index % 3 == 1 ? "key-a" : "key-b"
            return entry
        }
        try database.write { try RequestLogRepository($0).insert(rows) }
        let keyA = rows.indices.filter { $0 % 3 == 1 }.reversed().map { "req_\($0)" }
        for limit in [1, 4, 100] {
            #expect(try all(database, filter: .init(keyID: "key-a"), byCost: false, limit: limit) == keyA)
        }
        #expect(try all(database, filter: .init(model: "m", keyID: "key-b"), byCost: true, limit: 3).count == 10)
        let query = RequestLogRepository.listQuery(filter: .init(keyID: "key-a"), limit: 10, cursor: "1005:12", byCost: false)
        let plan = try database.read { try $0.query("EXPLAIN QUERY PLAN " + query.sql, query.bindings) }.compactMap { $0[3].string }
        #expect(plan.contains { $0.contains("USING INDEX requests_by_key") }, "plan: \(plan)")
        let indexes = try database.read { try $0.query("PRAGMA index_list(requests)") }  // seq, name, unique, origin, partial
        #expect(indexes.first { $0[1].string == "requests_by_key" }?[4].int == 1)
    }

    @Test("filters apply to the cost order too")
    func filtered() throws {
        let costs: [Int64] = [5, 90, 6, 0, 42, 91]
        let database = try database(costs: costs)
        #expect(try all(database, filter: .init(model: "a"), byCost: true, limit: 2) == ["req_4", "req_2", "req_0"])
    }
}
