import Core
import HTTPKit
import Store

/// `GET/PATCH /admin/v1/settings`: gateway-wide settings, `unpriced_policy` (`block` refuses models without a
/// price, `flag` serves them flagged), the global `budget` (as a key's, charged to every request) and the
/// `alert_webhook` `{url, secret_ref}` that budget alerts are posted to, signed with HMAC-SHA256.
struct SettingsEndpoints {
    let config: ConfigService
    static let fields: Set<String> = ["unpriced_policy", "budget", "alert_webhook"]
    static let webhookFields: Set<String> = ["url", "secret_ref"]

    /// The settings as stored, read back through the payload rules (a stored value is always valid).
    struct Stored: Equatable {
        var unpricedPolicy = UnpricedPolicy.block
        var budget: BudgetRecord?
        var webhookURL: String?
        var webhookSecretRef: String?

        init() {}

        init(_ stored: [String: String]) {
            let pairs = stored.compactMap { name, json in (try? JSONParser.parse(Array(json.utf8))).map { (name, $0) } }
            if let reader = try? FieldReader(object: pairs, allowed: SettingsEndpoints.fields, prefix: "") {
                try? apply(reader)
            }
        }

        /// `reader`'s fields applied; a 422 names the first invalid one.
        mutating func apply(_ reader: FieldReader) throws(AdminError) {
            if reader.has("unpriced_policy") {
                let text = try reader.requiredString("unpriced_policy")
                guard let policy = UnpricedPolicy(rawValue: text) else {
                    throw AdminError.invalid("unpriced_policy", "must be one of \(UnpricedPolicy.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                unpricedPolicy = policy
            }
            if reader.has("budget") { budget = try AccessPayload.budget(reader) }
            if reader.has("alert_webhook") {
                let webhook = try reader.object("alert_webhook", allowed: SettingsEndpoints.webhookFields)
                let url = try webhook?.requiredString("url")
                if let url, !(url.hasPrefix("http://") || url.hasPrefix("https://")) || url.utf8.count > 2048 || url.contains(" ") {
                    throw AdminError.invalid("alert_webhook.url", "must be an http:// or https:// URL of at most 2048 characters")
                }
                let reference = try webhook?.string("secret_ref")
                if let reference { try SecretReference.validate(reference, field: "alert_webhook.secret_ref") }
                webhookURL = url
                webhookSecretRef = reference
            }
        }

        /// Each setting as stored (name to JSON text); nil removes one.
        var rendered: [(String, JSONValue)] {
            [("unpriced_policy", .string(unpricedPolicy.rawValue)), ("budget", AccessPayload.render(budget)),
             ("alert_webhook", webhookURL.map { .object([("url", .string($0)), ("secret_ref", .optional(webhookSecretRef))]) } ?? .null)]
        }

        var json: JSONValue { .object(rendered) }
    }

    func perform(_ route: AdminHandler.Route, _ request: HTTPRequest) throws -> HTTPResponse {
        let current = Stored(try config.read { try $0.settings() })
        switch route {
        case .getSettings:
            return .json(200, current.json)
        case .patchSettings:
            let reader = try FieldReader(body: request.body, allowed: Self.fields)
            var updated = current
            try updated.apply(reader)
            let changed = updated.rendered.filter { name, _ in reader.has(name) }.map(\.0)
            try config.commit(summary: "update settings " + changed.joined(separator: ", "),
                              change: AuditChange(resource: "settings", id: "settings", before: current.json, after: updated.json)) { repository in
                for (name, value) in updated.rendered where reader.has(name) {
                    try repository.setSetting(name, json: value.isNull ? nil : JSONWriter.string(value))
                }
            }
            return .json(200, updated.json)
        default:
            throw AdminError(500, "unexpected route")
        }
    }
}
