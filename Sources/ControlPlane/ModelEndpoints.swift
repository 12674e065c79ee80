import Core
import HTTPKit
import Store

/// `/admin/v1/models` CRUD.
struct ModelEndpoints {
    let config: ConfigService

    func perform(_ route: AdminHandler.Route, _ request: HTTPRequest, id: String) throws -> HTTPResponse {
        let now = Timestamp.nowMillis()
        let lookup: (String) throws -> ProviderRecord? = { reference in
            try config.read { try $0.provider(id: reference) ?? $0.provider(name: reference) }
        }
        switch route {
        case .listModels:
            let (limit, cursor) = try Pagination.read(request.query)
            let (page, names) = try config.read { repository in
                (try repository.models(limit: limit, cursor: cursor, name: request.query["name"]),
                 Dictionary(uniqueKeysWithValues: try repository.providers().items.map { ($0.id, $0.name) }))
            }
            return Pagination.response(page.items.map { ModelPayload.render($0, providerName: names[$0.providerID]) }, next: page.nextCursor)
        case .createModel:
            var record = try ModelPayload.create(request.body, now: now, findProvider: lookup)
            let explicitPricing = ModelPayload.hasPricing(request.body)
            try config.commit(summary: "create model \(record.name)",
                              change: AuditChange(resource: "model", id: record.id, before: nil, after: ModelPayload.render(record, providerName: nil))) { repository in
                try ensureUnique(record, repository)
                if let kind = try repository.provider(id: record.providerID)?.kind,
                   let entry = try repository.catalogEntry(kind: kind, model: record.upstreamModel) {
                    ModelPayload.apply(entry, to: &record, pricing: !explicitPricing)
                }
                try repository.insert(record)
            }
            return try respond(201, record, lookup)
        case .getModel:
            return try respond(200, try find(id), lookup)
        case .patchModel:
            let existing = try find(id)
            let updated = try ModelPayload.patch(existing, request.body, now: now, findProvider: lookup)
            try config.commit(summary: "update model \(updated.name)",
                              change: AuditChange(resource: "model", id: updated.id, before: ModelPayload.render(existing, providerName: nil),
                                                  after: ModelPayload.render(updated, providerName: nil))) { repository in
                try ensureUnique(updated, repository)
                try repository.update(updated)
            }
            return try respond(200, updated, lookup)
        case .deleteModel:
            let existing = try find(id)
            try config.commit(summary: "delete model \(existing.name)",
                              change: AuditChange(resource: "model", id: existing.id, before: ModelPayload.render(existing, providerName: nil), after: nil)) { try $0.deleteModel(id: existing.id) }
            return HTTPResponse(status: 204)
        default:
            throw AdminError(500, "unexpected route")
        }
    }

    /// A model's JSON with its provider's name.
    func respond(_ status: Int, _ record: ModelRecord, _ lookup: (String) throws -> ProviderRecord?) throws -> HTTPResponse {
        .json(status, ModelPayload.render(record, providerName: try lookup(record.providerID)?.name))
    }

    func ensureUnique(_ record: ModelRecord, _ repository: ConfigRepository) throws {
        let clash = try repository.models(name: record.name).items.contains {
            $0.id != record.id && $0.providerID == record.providerID && $0.upstreamModel == record.upstreamModel
        }
        if clash {
            throw AdminError.conflict("model '\(record.name)' already has a deployment of '\(record.upstreamModel)' on this provider",
                                      field: "name")
        }
    }

    func find(_ id: String) throws -> ModelRecord {
        guard let record = try config.read({ try $0.model(id: id) }) else { throw AdminError.notFound("model", id) }
        return record
    }
}
