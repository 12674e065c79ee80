import Core
import Store

/// Validates key and team payloads (and their shared `budget`, `rpm`, `tpm` fields) and renders them.
enum AccessPayload {
    static let teamFields: Set<String> = ["name", "rpm", "tpm", "budget"]
    static let keyFields: Set<String> = ["name", "team", "allowed_models", "rpm", "tpm", "budget", "expires_at", "enabled", "log_bodies"]
    static let budgetFields: Set<String> = ["limit_usd", "period", "soft_limit_pct"]

    /// `budget`: `{limit_usd, period, soft_limit_pct}`, or null to remove it.
    static func budget(_ reader: FieldReader) throws(AdminError) -> BudgetRecord? {
        guard let budget = try reader.object("budget", allowed: budgetFields) else { return nil }
        guard let limit = try budget.dollars("limit_usd") else { throw AdminError.invalid("budget.limit_usd", "is required") }
        let period = try budget.requiredString("period")
        guard BudgetPeriod(rawValue: period) != nil else {
            throw AdminError.invalid("budget.period", "must be one of \(BudgetPeriod.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return BudgetRecord(limitMicros: limit.value, period: period, softLimitPercent: try budget.int("soft_limit_pct", in: 1...100))
    }

    static func render(_ budget: BudgetRecord?) -> JSONValue {
        guard let budget else { return .null }
        return .object([("limit_usd", Micros(budget.limitMicros).json), ("period", .string(budget.period)),
                        ("soft_limit_pct", .optional(budget.softLimitPercent))])
    }

    /// A team with `reader`'s fields applied.
    static func apply(_ reader: FieldReader, to team: inout TeamRecord) throws(AdminError) {
        if reader.has("name") {
            let name = try reader.requiredString("name")
            guard ProviderPayload.isSlug(name) else {
                throw AdminError.invalid("name", "must be a slug: 1-63 characters of a-z, 0-9, '-' and '_', starting with a letter or digit")
            }
            team.name = name
        }
        if reader.has("rpm") { team.rpm = try reader.int("rpm", in: 0...Int(Int32.max)) }
        if reader.has("tpm") { team.tpm = try reader.int("tpm", in: 0...Int(Int32.max)) }
        if reader.has("budget") { team.budget = try budget(reader) }
    }

    /// A key with `reader`'s fields applied; `findTeam` resolves `team` (id or name).
    static func apply(_ reader: FieldReader, to key: inout KeyRecord, findTeam: (String) throws -> TeamRecord?) throws {
        if reader.has("name") {
            let name = try reader.requiredString("name")
            guard (1...128).contains(name.utf8.count), name.unicodeScalars.allSatisfy({ $0.value >= 32 && $0.value != 127 }) else {
                throw AdminError.invalid("name", "must be 1-128 printable characters")
            }
            key.name = name
        }
        if reader.has("team") {
            if let reference = try reader.string("team") {
                guard let team = try findTeam(reference) else { throw AdminError.invalid("team", "no team has id or name '\(reference)'") }
                key.teamID = team.id
            } else {
                key.teamID = nil
            }
        }
        if reader.has("allowed_models") {
            let raw = reader.raw("allowed_models")
            if raw?.isNull == true {
                key.allowedModels = "[]"
            } else {
                guard let list = raw?.arrayValue, list.count <= 1000,
                      list.allSatisfy({ $0.stringValue.map(ModelPayload.isModelName) == true }) else {
                    throw AdminError.invalid("allowed_models", "must be an array of at most 1000 public model names or globs (* and ?)")
                }
                key.allowedModels = JSONWriter.string(.array(list))
            }
        }
        if reader.has("rpm") { key.rpm = try reader.int("rpm", in: 0...Int(Int32.max)) }
        if reader.has("tpm") { key.tpm = try reader.int("tpm", in: 0...Int(Int32.max)) }
        if reader.has("budget") { key.budget = try budget(reader) }
        if reader.has("expires_at") {
            if let text = try reader.string("expires_at") {
                guard let millis = Timestamp.parse(text) else { throw AdminError.invalid("expires_at", "must be RFC 3339 or epoch seconds") }
                key.expiresAt = millis
            } else {
                key.expiresAt = nil
            }
        }
        if reader.has("enabled") { key.enabled = try reader.requiredBool("enabled") }
        if reader.has("log_bodies") { key.logBodies = try reader.requiredBool("log_bodies") }
    }

    static func render(_ t: TeamRecord) -> JSONValue {
        .object([("id", .string(t.id)), ("name", .string(t.name)), ("rpm", .optional(t.rpm)), ("tpm", .optional(t.tpm)),
                 ("budget", render(t.budget)), ("created_at", .string(Timestamp.iso8601(t.createdAt))),
                 ("updated_at", .string(Timestamp.iso8601(t.updatedAt)))])
    }

    /// A key's public JSON: never its secret or hash, only the prefix.
    static func render(_ k: KeyRecord, teamName: String?) -> JSONValue {
        .object([("id", .string(k.id)), ("name", .string(k.name)), ("prefix", .string(k.prefix)), ("team", .optional(k.teamID)),
                 ("team_name", .optional(teamName)),
                 ("allowed_models", (try? JSONParser.parse(k.allowedModels)) ?? .array([])), ("rpm", .optional(k.rpm)),
                 ("tpm", .optional(k.tpm)), ("budget", render(k.budget)),
                 ("expires_at", k.expiresAt.map { .string(Timestamp.iso8601($0)) } ?? .null), ("enabled", .bool(k.enabled)),
                 ("log_bodies", .bool(k.logBodies)), ("created_at", .string(Timestamp.iso8601(k.createdAt))),
                 ("updated_at", .string(Timestamp.iso8601(k.updatedAt)))])
    }
}
