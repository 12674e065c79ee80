import Core
import Routing
import HTTPKit

/// Who is calling: the virtual key presented and its team, or nobody while the gateway has no keys; and the
/// global budget every request is charged to.
struct Caller: Sendable {
    var key: VirtualKey?
    var team: Team?
    var globalBudget: Budget?

    /// Authenticates a request against the snapshot's keys (`Authorization: Bearer <key>` or `x-api-key`).
    /// Until the first key exists, loopback clients are served whatever they send (the demo) and others refused.
    static func authenticate(_ headers: HTTPHeaders, snapshot: ConfigSnapshot, isLoopback: Bool, now: Int64) -> Result<Caller, GatewayError> {
        guard !snapshot.keys.isEmpty else {
            return isLoopback ? .success(Caller(key: nil, team: nil, globalBudget: snapshot.settings.budget))
                : .failure(unauthorized("invalid_api_key", "This gateway has no API keys yet and serves only loopback clients."))
        }
        var presented = headers["x-api-key"]
        if let authorization = headers["authorization"] {
            guard authorization.count > 7, authorization.hasASCIICaseInsensitivePrefix("bearer ") else {
                return .failure(unauthorized("invalid_api_key", "The Authorization header must be 'Bearer <key>'."))
            }
            presented = String(authorization.dropFirst(7))
        }
        guard let presented, !presented.isEmpty else {
            return .failure(unauthorized("missing_api_key", "No API key: send 'Authorization: Bearer <key>' or 'x-api-key'."))
        }
        // Found by the hash of what was presented: the secret itself is never stored or compared.
        guard let key = snapshot.keys[Crypto.hex(Crypto.sha256(Array(presented.utf8)))] else {
            return .failure(unauthorized("invalid_api_key", "The API key is not valid."))
        }
        guard key.enabled else { return .failure(unauthorized("key_disabled", "The API key '\(key.name)' is disabled.")) }
        if let expires = key.expiresAtMillis, now >= expires {
            return .failure(unauthorized("key_expired", "The API key '\(key.name)' expired at \(Timestamp.iso8601(expires))."))
        }
        return .success(Caller(key: key, team: key.teamID.flatMap { snapshot.teams[$0] }, globalBudget: snapshot.settings.budget))
    }

    static func unauthorized(_ code: String, _ message: String) -> GatewayError {
        GatewayError(status: 401, type: "authentication_error", code: code, message: message)
    }

    /// 403 unless the key may use `model`.
    func checkAllowed(_ model: String) throws(GatewayError) {
        guard let key, !key.allows(model: model) else { return }
        throw GatewayError(status: 403, type: "permission_error", code: "model_not_allowed",
                           message: "The API key '\(key.name)' may not use the model '\(model)'.", param: "model")
    }

    /// The key's and the team's rpm/tpm limits, this replica's `share` of them (1 on one machine; on data
    /// planes, one over the number of live replicas, rounded up).
    func rateLimitScope(share: Int = 1) -> RateLimits.Scope {
        let divisor = max(1, share)
        func part(_ limit: Int?) -> Int? { limit.map { ($0 + divisor - 1) / divisor } }
        var scope = RateLimits.Scope()
        if let key, key.rpm != nil || key.tpm != nil { scope.add("key:" + key.id, rpm: part(key.rpm), tpm: part(key.tpm)) }
        if let team, team.rpm != nil || team.tpm != nil { scope.add("team:" + team.id, rpm: part(team.rpm), tpm: part(team.tpm)) }
        return scope
    }

    /// The budgets the caller's requests are charged to.
    var budgetScopes: [BudgetLedger.Scope] {
        [key.flatMap(Self.scope), team.flatMap(Self.scope), globalBudget.map(Self.scope)].compactMap { $0 }
    }

    /// The global budget as the ledger charges it.
    static func scope(_ global: Budget) -> BudgetLedger.Scope {
        BudgetLedger.Scope(key: "global", budget: global, label: "the gateway (global budget)")
    }

    /// A key's budget as the ledger charges it, when it has one.
    static func scope(_ key: VirtualKey) -> BudgetLedger.Scope? {
        key.budget.map { BudgetLedger.Scope(key: "key:" + key.id, budget: $0, label: "key '\(key.name)'") }
    }

    /// A team's budget as the ledger charges it, when it has one.
    static func scope(_ team: Team) -> BudgetLedger.Scope? {
        team.budget.map { BudgetLedger.Scope(key: "team:" + team.id, budget: $0, label: "team '\(team.name)'") }
    }
}
