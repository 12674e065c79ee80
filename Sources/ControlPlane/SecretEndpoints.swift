import Core
import HTTPKit
import Store

/// `PUT/DELETE /admin/v1/secrets/{name}` and `GET /admin/v1/secrets`: values go in sealed with the master
/// key (AES-256-GCM, the name as associated data) and never come out; lists show names and times only.
struct SecretEndpoints {
    let config: ConfigService
    /// The largest secret value accepted.
    static let maxValueBytes = 64 * 1024

    func perform(_ route: AdminHandler.Route, _ request: HTTPRequest, name: String) throws -> HTTPResponse {
        let now = Timestamp.nowMillis()
        switch route {
        case .listSecrets:
            let (limit, cursor) = try Pagination.read(request.query)
            let page = try config.read { try $0.secrets(limit: limit, cursor: cursor) }
            return Pagination.response(page.items.map(Self.render), next: page.nextCursor)
        case .putSecret:
            guard SecretReference.isSecretName(name) else {
                throw AdminError.invalid("name", "must be 1-128 of letters, digits, '-', '_' and '.'")
            }
            let reader = try FieldReader(body: request.body, allowed: ["value"])
            let value = try reader.requiredString("value")
            guard !value.isEmpty, value.utf8.count <= Self.maxValueBytes else {
                throw AdminError.invalid("value", "must be 1 to \(Self.maxValueBytes) bytes")
            }
            let existing = try config.read { try $0.secret(name: name) }
            let record = SecretRecord(name: name, sealed: SecretBox.seal(Array(value.utf8), key: config.masterKey, associatedData: Array(name.utf8)),
                                      createdAt: existing?.createdAt ?? now, updatedAt: now)
            try config.commit(summary: "\(existing == nil ? "store" : "replace") secret \(name)",
                              change: AuditChange(resource: "secret", id: name, before: existing.map(Self.render), after: Self.render(record))) { try $0.save(record) }
            return .json(existing == nil ? 201 : 200, Self.render(record))
        case .deleteSecret:
            guard let existing = try config.read({ try $0.secret(name: name) }) else { throw AdminError.notFound("secret", name) }
            try config.commit(summary: "delete secret \(name)", change: AuditChange(resource: "secret", id: name, before: Self.render(existing), after: nil)) { try $0.deleteSecret(name: name) }
            return HTTPResponse(status: 204)
        default:
            throw AdminError(500, "unexpected route")
        }
    }

    /// Name and times; never the value.
    static func render(_ s: SecretRecord) -> JSONValue {
        .object([("name", .string(s.name)), ("created_at", .string(Timestamp.iso8601(s.createdAt))),
                 ("updated_at", .string(Timestamp.iso8601(s.updatedAt)))])
    }
}
