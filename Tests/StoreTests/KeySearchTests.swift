import Core
import Store
import Testing

@Suite("Key search")
struct KeySearchTests {
    @Test("name contains the text, ASCII case ignored; % _ and \\ are literal; teams filter too")
    func search() throws {
        let database = try Database(path: temporaryDatabasePath())
        try Migrator(directory: repositoryMigrations()).migrate(database)
        let names = ["Search-Prod", "search_batch", "50%-off", "a\\b", "billing", "searchXbatch"]
        try database.write { connection in
            let repository = ConfigRepository(connection)
            try repository.save(TeamRecord(id: "team_1", name: "one", createdAt: 0, updatedAt: 0))
            for (index, name) in names.enumerated() {
                var key = KeyRecord(id: "key_\(index)", name: name, keyHash: "h\(index)", prefix: "sk-sy-00000\(index)", createdAt: 0, updatedAt: 0)
                key.teamID = index < 2 ? "team_1" : nil
                try repository.save(key)
            }
        }
        func found(_ text: String?, team: String? = nil) throws -> [String] {
            try database.read { try ConfigRepository($0).keys(teamID: team, nameContains: text).items.map(\.name) }
        }
        #expect(try found("search") == ["Search-Prod", "search_batch", "searchXbatch"])
        #expect(try found("h_b") == ["search_batch"])
        #expect(try found("%") == ["50%-off"])
        #expect(try found("\\") == ["a\\b"])
        #expect(try found("search", team: "team_1") == ["Search-Prod", "search_batch"])
        #expect(try found(nil).count == names.count)
        #expect(try database.read { try ConfigRepository($0).names(of: .keys, ids: ["key_4", "key_9"]) } == ["key_4": "billing"])
    }
}
