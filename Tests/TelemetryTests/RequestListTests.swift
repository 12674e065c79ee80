import Core
import Store
import Telemetry
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

    @Test("filters apply to the cost order too")
    func filtered() throws {
        let costs: [Int64] = [5, 90, 6, 0, 42, 91]
        let database = try database(costs: costs)
        #expect(try all(database, filter: .init(model: "a"), byCost: true, limit: 2) == ["req_4", "req_2", "req_0"])
    }
}
