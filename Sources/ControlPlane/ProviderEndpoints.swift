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
            try config.commit(summary: "create provider \(record.name)",
                              change: AuditChange(resource: "provider", id: record.id, before: nil, after: ProviderPayload.render(record))) { repository in
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
            try config.commit(summary: "update provider \(updated.name)",
                              change: AuditChange(resource: "provider", id: updated.id, before: ProviderPayload.render(existing),
                                                  after: ProviderPayload.render(updated))) { repository in
                if updated.name != existing.name, try repository.provider(name: updated.name) != nil {
                    throw AdminError.conflict("a provider named '\(updated.name)' already exists", field: "name")
                }
                try repository.update(updated)
            }
            return .json(200, ProviderPayload.render(updated))
        case .deleteProvider:
            let existing = try find(id)
            try config.commit(summary: "delete provider \(existing.name)",
                              change: AuditChange(resource: "provider", id: existing.id, before: ProviderPayload.render(existing), after: nil)) { repository in
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
