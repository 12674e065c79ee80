import Core
import HTTPKit
import Store

/// `/admin/v1/providers` CRUD.
struct ProviderEndpoints {
    let config: ConfigService

    func perform(_ route: AdminHandler.Route, _ request: HTTPRequest, id: String) throws -> HTTPResponse {
        let now = Timestamp.nowMillis()
        switch route {
        case .listProviders:
            let (limit, cursor) = try Pagination.read(request.query)
            let page = try config.read { try $0.providers(limit: limit, cursor: cursor) }
            return Pagination.response(page.items.map(ProviderPayload.render), next: page.nextCursor)
        case .createProvider:
            let record = try ProviderPayload.create(request.body, now: now)
            try config.commit(summary: "create provider \(record.name)") { repository in
                if try repository.provider(name: record.name) != nil {
                    throw AdminError.conflict("a provider named '\(record.name)' already exists", field: "name")
                }
                try repository.insert(record)
            }
            return .json(201, ProviderPayload.render(record))
        case .getProvider:
            return .json(200, ProviderPayload.render(try find(id)))
        case .patchProvider:
            let existing = try find(id)
            let updated = try ProviderPayload.patch(existing, request.body, now: now)
            try config.commit(summary: "update provider \(updated.name)") { repository in
                if updated.name != existing.name, try repository.provider(name: updated.name) != nil {
                    throw AdminError.conflict("a provider named '\(updated.name)' already exists", field: "name")
                }
                try repository.update(updated)
            }
            return .json(200, ProviderPayload.render(updated))
        case .deleteProvider:
            let existing = try find(id)
            try config.commit(summary: "delete provider \(existing.name)") { repository in
                let models = try repository.modelCount(providerID: existing.id)
                guard models == 0 else {
                    throw AdminError.conflict("provider '\(existing.name)' still has \(models) model(s); delete or move them first")
                }
                try repository.deleteProvider(id: existing.id)
            }
            return HTTPResponse(status: 204)
        default:
            throw AdminError(500, "unexpected route")
        }
    }

    /// A provider by id or by name.
    func find(_ id: String) throws -> ProviderRecord {
        guard let record = try config.read({ try $0.provider(id: id) ?? $0.provider(name: id) }) else {
            throw AdminError.notFound("provider", id)
        }
        return record
    }
}

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
            let record = try ModelPayload.create(request.body, now: now, findProvider: lookup)
            try config.commit(summary: "create model \(record.name)") { repository in
                try ensureUnique(record, repository)
                try repository.insert(record)
            }
            return .json(201, ModelPayload.render(record, providerName: try lookup(record.providerID)?.name))
        case .getModel:
            let record = try find(id)
            return .json(200, ModelPayload.render(record, providerName: try lookup(record.providerID)?.name))
        case .patchModel:
            let existing = try find(id)
            let updated = try ModelPayload.patch(existing, request.body, now: now, findProvider: lookup)
            try config.commit(summary: "update model \(updated.name)") { repository in
                try ensureUnique(updated, repository)
                try repository.update(updated)
            }
            return .json(200, ModelPayload.render(updated, providerName: try lookup(updated.providerID)?.name))
        case .deleteModel:
            let existing = try find(id)
            try config.commit(summary: "delete model \(existing.name)") { try $0.deleteModel(id: existing.id) }
            return HTTPResponse(status: 204)
        default:
            throw AdminError(500, "unexpected route")
        }
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
