import Core
import HTTPKit
import Store

/// `/admin/v1/catalog`: the model catalog (context windows and list prices per provider kind and model)
/// that models created without `pricing` take their defaults from.
struct CatalogEndpoints {
    static let fields: Set<String> = ["kind", "model", "context_window", "max_output_tokens", "pricing", "unsupported_params"]

    let config: ConfigService

    func perform(_ route: AdminHandler.Route, _ request: HTTPRequest, id: String) throws -> HTTPResponse {
        let now = Timestamp.nowMillis()
        switch route {
        case .listCatalog:
            let (limit, cursor) = try Pagination.read(request.query)
            let page = try config.read { try $0.catalog(limit: limit, cursor: cursor, kind: request.query["kind"]) }
            return Pagination.response(page.items.map(Self.render), next: page.nextCursor)
        case .createCatalogEntry:
            var record = CatalogRecord(kind: "", model: "", updatedAt: now)
            let reader = try FieldReader(body: request.body, allowed: Self.fields)
            _ = try reader.requiredString("kind")
            _ = try reader.requiredString("model")
            try Self.apply(reader, to: &record)
            record.id = try config.commit(summary: "add catalog model \(record.kind)/\(record.model)",
                                         change: AuditChange(resource: "catalog", id: record.kind + "/" + record.model, before: nil, after: Self.render(record))) { repository in
                try ensureUnique(record, repository)
                return try repository.insert(record)
            }
            return .json(201, Self.render(record))
        case .getCatalogEntry:
            return .json(200, Self.render(try find(id)))
        case .patchCatalogEntry:
            var record = try find(id)
            let before = Self.render(record)
            try Self.apply(try FieldReader(body: request.body, allowed: Self.fields), to: &record)
            record.source = "admin"
            record.updatedAt = now
            try config.commit(summary: "update catalog model \(record.kind)/\(record.model)",
                              change: AuditChange(resource: "catalog", id: record.kind + "/" + record.model, before: before, after: Self.render(record))) { repository in
                try ensureUnique(record, repository)
                try repository.update(record)
            }
            return .json(200, Self.render(record))
        case .deleteCatalogEntry:
            let record = try find(id)
            try config.commit(summary: "delete catalog model \(record.kind)/\(record.model)",
                              change: AuditChange(resource: "catalog", id: record.kind + "/" + record.model, before: Self.render(record), after: nil)) { try $0.deleteCatalogEntry(id: record.id) }
            return HTTPResponse(status: 204)
        default:
            throw AdminError(500, "unexpected route")
        }
    }

    static func apply(_ reader: FieldReader, to record: inout CatalogRecord) throws(AdminError) {
        if reader.has("kind") {
            let kind = try reader.requiredString("kind")
            guard ProviderKind(rawValue: kind) != nil else {
                throw AdminError.invalid("kind", "'\(kind)' is not one of \(ProviderKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            record.kind = kind
        }
        if reader.has("model") {
            let model = try reader.requiredString("model")
            guard ModelPayload.isModelName(model) else { throw AdminError.invalid("model", "must be 1-256 printable characters without spaces") }
            record.model = model
        }
        if reader.has("context_window") { record.contextWindow = try reader.int("context_window", in: 1...100_000_000) }
        if reader.has("max_output_tokens") { record.maxOutputTokens = try reader.int("max_output_tokens", in: 1...100_000_000) }
        if reader.has("unsupported_params") {
            guard let list = reader.raw("unsupported_params")?.arrayValue, list.count <= 50,
                  list.allSatisfy({ $0.stringValue.map { (1...64).contains($0.utf8.count) && $0.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || $0 == 95 } } == true })
            else {
                throw AdminError.invalid("unsupported_params", "must be an array of request parameter names such as \"temperature\"")
            }
            record.unsupportedParams = JSONWriter.string(.array(list))
        }
        if reader.has("pricing") {
            let pricing = try reader.object("pricing", allowed: ModelPayload.pricingFields)
            record.inputPerMTokMicros = try pricing?.dollars("input_per_mtok")?.value ?? 0
            record.outputPerMTokMicros = try pricing?.dollars("output_per_mtok")?.value ?? 0
            record.cachedInputPerMTokMicros = try pricing?.dollars("cached_input_per_mtok")?.value ?? 0
        }
    }

    func ensureUnique(_ record: CatalogRecord, _ repository: ConfigRepository) throws {
        if let other = try repository.catalogEntry(kind: record.kind, model: record.model), other.id != record.id {
            throw AdminError.conflict("the catalog already has \(record.kind)/\(record.model) (id \(other.id))", field: "model")
        }
    }

    func find(_ id: String) throws -> CatalogRecord {
        guard let number = Int64(id), let record = try config.read({ try $0.catalogEntry(id: number) }) else {
            throw AdminError.notFound("catalog entry", id)
        }
        return record
    }

    static func render(_ c: CatalogRecord) -> JSONValue {
        .object([
            ("id", .string(String(c.id))), ("kind", .string(c.kind)), ("model", .string(c.model)),
            ("context_window", .optional(c.contextWindow)), ("max_output_tokens", .optional(c.maxOutputTokens)),
            ("pricing", .object([("input_per_mtok", Micros(c.inputPerMTokMicros).json), ("output_per_mtok", Micros(c.outputPerMTokMicros).json),
                                 ("cached_input_per_mtok", Micros(c.cachedInputPerMTokMicros).json)])),
            ("unsupported_params", (try? JSONParser.parse(Array(c.unsupportedParams.utf8))) ?? .array([])),
            ("source", .string(c.source)), ("updated_at", .string(Timestamp.iso8601(c.updatedAt))),
        ])
    }
}
