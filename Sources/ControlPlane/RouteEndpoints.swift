import Core
import HTTPKit
import Store

/// `/admin/v1/routes/{name}`: how a public model name's deployments are chosen (`strategy`), what comes
/// after them (`fallbacks`), how many extra attempts a request may make (`retries`) and its deadline
/// (`timeout_ms`), session `affinity`, and `hedge` (a second attempt when the first has no answer after
/// `after_ms`). `cache` `{enabled, ttl_s}` caches answers in memory.
struct RouteEndpoints {
    static let fields: Set<String> = ["strategy", "fallbacks", "retries", "timeout_ms", "cache", "hedge", "affinity", "unsupported_params", "stream_recovery", "timeouts"]
    let config: ConfigService

    func perform(_ route: AdminHandler.Route, _ request: HTTPRequest, name: String) throws -> HTTPResponse {
        let now = Timestamp.nowMillis()
        switch route {
        case .listRoutes:
            let (limit, cursor) = try Pagination.read(request.query)
            let page = try config.read { try $0.routes(limit: limit, cursor: cursor) }
            return Pagination.response(page.items.map(Self.render), next: page.nextCursor)
        case .getRoute:
            return .json(200, Self.render(try find(name)))
        case .putRoute:
            guard ModelPayload.isModelName(name) else { throw AdminError.invalid("name", "must be 1-256 printable characters without spaces") }
            let existing = try config.read { try $0.route(name: name) }
            var record = try Self.record(name: name, body: request.body, now: now)
            record.createdAt = existing?.createdAt ?? now
            try config.commit(summary: "\(existing == nil ? "create" : "replace") route \(name)",
                              change: AuditChange(resource: "route", id: name, before: existing.map(Self.render), after: Self.render(record))) { try $0.upsert(record) }
            return .json(existing == nil ? 201 : 200, Self.render(record))
        case .deleteRoute:
            let existing = try find(name)
            try config.commit(summary: "delete route \(name)", change: AuditChange(resource: "route", id: name, before: Self.render(existing), after: nil)) { try $0.deleteRoute(name: name) }
            return HTTPResponse(status: 204)
        default:
            throw AdminError(500, "unexpected route")
        }
    }

    /// A whole route from a PUT body (fields left out take their defaults).
    static func record(name: String, body: [UInt8], now: Int64) throws(AdminError) -> RouteRecord {
        let reader = try FieldReader(body: body, allowed: fields)
        var record = RouteRecord(name: name, createdAt: now, updatedAt: now)
        if let strategy = try reader.string("strategy") {
            guard RoutePolicy.Strategy(rawValue: strategy) != nil else {
                throw AdminError.invalid("strategy", "'\(strategy)' is not one of \(RoutePolicy.Strategy.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            record.strategy = strategy
        }
        if reader.has("fallbacks") {
            guard let list = reader.raw("fallbacks")?.arrayValue, list.count <= 10,
                  list.allSatisfy({ $0.stringValue.map(ModelPayload.isModelName) == true }) else {
                throw AdminError.invalid("fallbacks", "must be an array of at most 10 public model names")
            }
            let names = list.compactMap(\.stringValue)
            guard !names.contains(name), Set(names).count == names.count else {
                throw AdminError.invalid("fallbacks", "must not repeat a name or name the route itself")
            }
            record.fallbacks = JSONWriter.string(.array(names.map { .string($0) }))
        }
        record.retries = try reader.int("retries", in: 0...5)
        record.timeoutMillis = try reader.int("timeout_ms", in: 1...3_600_000)
        if let policy = try reader.string("unsupported_params") {
            guard policy == "drop" || policy == "reject" else { throw AdminError.invalid("unsupported_params", "must be 'drop' or 'reject'") }
            record.unsupportedParams = policy
        }
        if let recovery = try reader.string("stream_recovery") {
            guard recovery == "continue" || recovery == "off" else { throw AdminError.invalid("stream_recovery", "must be 'continue' or 'off'") }
            record.streamRecovery = recovery
        }
        if reader.has("timeouts") {
            let timeouts = try reader.object("timeouts", allowed: ["connect_ms", "first_byte_ms", "stream_idle_ms"])
            for field in ["connect_ms", "first_byte_ms", "stream_idle_ms"] { _ = try timeouts?.int(field, in: 1...ProviderPayload.maxTimeoutMillis) }
            record.timeouts = Self.storedObject(reader.raw("timeouts"))
        }
        if reader.has("affinity") {
            let affinity = try reader.object("affinity", allowed: ["ttl_s"])
            record.affinityTTLSeconds = try affinity?.int("ttl_s", in: 1...86_400)
        }
        if reader.has("cache") {
            let cache = try reader.object("cache", allowed: ["enabled", "ttl_s"])
            _ = try cache?.bool("enabled")
            _ = try cache?.int("ttl_s", in: 1...86_400 * 30)
            record.cache = Self.storedObject(reader.raw("cache"))
        }
        if reader.has("hedge") {
            let hedge = try reader.object("hedge", allowed: ["enabled", "after_ms"])
            let enabled = try hedge?.bool("enabled") ?? false
            let after = try hedge?.int("after_ms", in: 1...60_000)
            if enabled && after == nil { throw AdminError.invalid("hedge.after_ms", "is required when hedging is enabled") }
            record.hedge = Self.storedObject(reader.raw("hedge"))
        }
        return record
    }

    /// An object setting as stored: null (or absent) is the empty object, so a route always reads back objects.
    static func storedObject(_ value: JSONValue?) -> String {
        guard let value, !value.isNull else { return "{}" }
        return JSONWriter.string(value)
    }

    /// How long answers are cached, when caching is enabled (`ttl_s`, else five minutes).
    static func cacheTTLSeconds(_ cache: String) -> Int? {
        guard let value = try? JSONParser.parse(Array(cache.utf8)), value["enabled"]?.boolValue == true else { return nil }
        return value["ttl_s"]?.intValue ?? 300
    }

    /// The hedge delay of a stored `hedge` object, when hedging is enabled.
    static func hedgeAfterMillis(_ hedge: String) -> Int? {
        guard let value = try? JSONParser.parse(Array(hedge.utf8)), value["enabled"]?.boolValue == true else { return nil }
        return value["after_ms"]?.intValue
    }

    func find(_ name: String) throws -> RouteRecord {
        guard let record = try config.read({ try $0.route(name: name) }) else { throw AdminError.notFound("route", name) }
        return record
    }

    static func render(_ r: RouteRecord) -> JSONValue {
        .object([
            ("name", .string(r.name)), ("strategy", .string(r.strategy)),
            ("fallbacks", (try? JSONParser.parse(Array(r.fallbacks.utf8))) ?? .array([])),
            ("retries", .optional(r.retries)), ("timeout_ms", .optional(r.timeoutMillis)),
            ("cache", (try? JSONParser.parse(Array(r.cache.utf8))) ?? .object([])),
            ("hedge", (try? JSONParser.parse(Array(r.hedge.utf8))) ?? .object([])),
            ("affinity", r.affinityTTLSeconds.map { .object([("ttl_s", .int($0))]) } ?? .null),
            ("unsupported_params", .string(r.unsupportedParams)), ("stream_recovery", .string(r.streamRecovery)),
            ("timeouts", (try? JSONParser.parse(Array(r.timeouts.utf8))) ?? .object([])),
            ("created_at", .string(Timestamp.iso8601(r.createdAt))), ("updated_at", .string(Timestamp.iso8601(r.updatedAt))),
        ])
    }
}
