import Core
import HTTPKit
import Store

/// `/admin/v1/teams` and `/admin/v1/keys` CRUD. A key's secret (`sk-sy-` and 32 random bytes in hex) is
/// returned once, by the POST that creates it; only its SHA-256 is stored.
struct AccessEndpoints {
    let config: ConfigService

    static let secretPrefix = "sk-sy-"

    func perform(_ route: AdminHandler.Route, _ request: HTTPRequest, id: String) throws -> HTTPResponse {
        let now = Timestamp.nowMillis()
        switch route {
        case .listTeams:
            let (limit, cursor) = try Pagination.read(request.query)
            let page = try config.read { try $0.teams(limit: limit, cursor: cursor) }
            return Pagination.response(page.items.map(AccessPayload.render), next: page.nextCursor)
        case .createTeam:
            let reader = try FieldReader(body: request.body, allowed: AccessPayload.teamFields)
            _ = try reader.requiredString("name")
            var team = TeamRecord(id: Identifier.make("team"), name: "", createdAt: now, updatedAt: now)
            try AccessPayload.apply(reader, to: &team)
            try config.commit(summary: "create team \(team.name)",
                              change: AuditChange(resource: "team", id: team.id, before: nil, after: AccessPayload.render(team))) { try $0.save(team) }
            return .json(201, AccessPayload.render(team))
        case .getTeam:
            return .json(200, AccessPayload.render(try team(id)))
        case .patchTeam:
            var team = try team(id)
            let before = AccessPayload.render(team)
            try AccessPayload.apply(try FieldReader(body: request.body, allowed: AccessPayload.teamFields), to: &team)
            team.updatedAt = now
            try config.commit(summary: "update team \(team.name)",
                              change: AuditChange(resource: "team", id: team.id, before: before, after: AccessPayload.render(team))) { [team] in try $0.save(team) }
            return .json(200, AccessPayload.render(team))
        case .deleteTeam:
            let team = try team(id)
            guard try config.read({ try $0.keys(limit: 1, teamID: team.id).items.isEmpty }) else {
                throw AdminError.conflict("team '\(team.name)' still has keys; move or delete them first")
            }
            try config.commit(summary: "delete team \(team.name)",
                              change: AuditChange(resource: "team", id: team.id, before: AccessPayload.render(team), after: nil)) { try $0.deleteTeam(id: team.id) }
            return HTTPResponse(status: 204)
        case .listKeys:
            let (limit, cursor) = try Pagination.read(request.query)
            let teamID = try request.query["team"].map { try team($0).id }
            let nameContains = request.query["q"].flatMap { $0.isEmpty ? nil : $0 }
            let (page, names) = try config.read {
                (try $0.keys(limit: limit, cursor: cursor, teamID: teamID, nameContains: nameContains), try teamNames($0))
            }
            return Pagination.response(page.items.map { AccessPayload.render($0, teamName: $0.teamID.flatMap { names[$0] }) },
                                       next: page.nextCursor)
        case .createKey:
            let reader = try FieldReader(body: request.body, allowed: AccessPayload.keyFields)
            _ = try reader.requiredString("name")
            let secret = Self.secretPrefix + Crypto.hex(Crypto.randomBytes(32))
            var key = KeyRecord(id: Identifier.make("key"), name: "", keyHash: Crypto.hex(Crypto.sha256(Array(secret.utf8))),
                                prefix: String(secret.prefix(Self.secretPrefix.count + 6)), createdAt: now, updatedAt: now)
            try AccessPayload.apply(reader, to: &key, findTeam: findTeam)
            try config.commit(summary: "create key \(key.name)", change: AuditChange(resource: "key", id: key.id, before: nil, after: try render(key))) { [key] in try $0.save(key) }
            guard case .object(var fields) = try render(key) else { throw AdminError(500, "unexpected key rendering") }
            fields.insert(("key", .string(secret)), at: 1)
            return .json(201, .object(fields))
        case .getKey:
            return .json(200, try render(try key(id)))
        case .patchKey:
            var key = try key(id)
            let before = try render(key)
            try AccessPayload.apply(try FieldReader(body: request.body, allowed: AccessPayload.keyFields), to: &key, findTeam: findTeam)
            key.updatedAt = now
            try config.commit(summary: "update key \(key.name)", change: AuditChange(resource: "key", id: key.id, before: before, after: try render(key))) { [key] in try $0.save(key) }
            return .json(200, try render(key))
        case .deleteKey:
            let key = try key(id)
            try config.commit(summary: "delete key \(key.name)", change: AuditChange(resource: "key", id: key.id, before: try render(key), after: nil)) { try $0.deleteKey(id: key.id) }
            return HTTPResponse(status: 204)
        default:
            throw AdminError(500, "unexpected route")
        }
    }

    func findTeam(_ reference: String) throws -> TeamRecord? {
        try config.read { try $0.team(id: reference) }
    }

    func team(_ reference: String) throws -> TeamRecord {
        guard let team = try findTeam(reference) else { throw AdminError.notFound("team", reference) }
        return team
    }

    func key(_ id: String) throws -> KeyRecord {
        guard let key = try config.read({ try $0.key(id: id) }) else { throw AdminError.notFound("key", id) }
        return key
    }

    func teamNames(_ repository: ConfigRepository) throws -> [String: String] {
        Dictionary(uniqueKeysWithValues: try repository.teams().items.map { ($0.id, $0.name) })
    }

    func render(_ key: KeyRecord) throws -> JSONValue {
        AccessPayload.render(key, teamName: try key.teamID.flatMap { try findTeam($0)?.name })
    }
}
