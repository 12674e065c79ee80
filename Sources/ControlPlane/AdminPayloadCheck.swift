import Core
import Store

/// Runs one admin payload validator on a body without storing anything; the entry point the fuzz
/// harness and its regression tests drive. Throws the `AdminError` the endpoint would answer with.
package enum AdminPayloadCheck: CaseIterable, Sendable {
    case provider, model, route, team, key, settings

    package func validate(_ body: [UInt8]) throws {
        switch self {
        case .provider:
            _ = try ProviderPayload.create(body, now: 0)
        case .model:
            let provider = try ProviderPayload.create(Array(#"{"name":"p","kind":"openai"}"#.utf8), now: 0)
            _ = try ModelPayload.create(body, now: 0) { $0 == provider.name || $0 == provider.id ? provider : nil }
        case .route:
            _ = try RouteEndpoints.record(name: "r", body: body, now: 0)
        case .team:
            var team = TeamRecord(id: "team_1", name: "", createdAt: 0, updatedAt: 0)
            try AccessPayload.apply(try FieldReader(body: body, allowed: AccessPayload.teamFields), to: &team)
        case .key:
            let team = TeamRecord(id: "team_1", name: "t", createdAt: 0, updatedAt: 0)
            var key = KeyRecord(id: "key_1", name: "", keyHash: "", prefix: "", createdAt: 0, updatedAt: 0)
            try AccessPayload.apply(try FieldReader(body: body, allowed: AccessPayload.keyFields), to: &key) {
                $0 == team.name || $0 == team.id ? team : nil
            }
        case .settings:
            var settings = SettingsEndpoints.Stored()
            try settings.apply(try FieldReader(body: body, allowed: SettingsEndpoints.fields))
        }
    }
}
