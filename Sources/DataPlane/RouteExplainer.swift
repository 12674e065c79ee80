import Core
import HTTPKit
import Providers
import Routing

/// `POST /admin/v1/route/explain`: for a chat request, the deployments in the order they would be tried,
/// each marked eligible or skipped with why (circuit, disabled credentials, resting after a 429, rate
/// limit), plus those set aside (context window, provider key), without calling any upstream or taking
/// any rate-limit budget or round-robin turn.
public enum RouteExplainer {
    static func explain(_ body: [UInt8], planner: RoutePlanner, limits: RateLimits) -> (status: Int, body: JSONValue) {
        let chat: ChatRequest
        do {
            chat = try ChatRequest(body: body)
        } catch {
            return (error.status, error.json)
        }
        let estimate = RoutePlanner.Estimate(chat: chat, bodyBytes: body.count, sessionHeader: nil)
        let plan: RoutePlanner.Plan
        do {
            plan = try planner.plan(chat.model, estimate: estimate, advanceTurns: false)
        } catch {
            return (error.status, error.json)
        }
        let entries = planner.health.allEntries()
        var position = 0
        let candidates: [JSONValue] = plan.candidates.map { candidate in
            let reason = skipReason(candidate, entry: entries[candidate.deployment.id], health: planner.health, limits: limits,
                                    tokens: estimate.promptTokens + estimate.outputTokens)
            if reason == nil { position += 1 }
            return describe(candidate.deployment, candidate.provider, [("eligible", .bool(reason == nil)),
                                                                       ("position", reason == nil ? .int(position) : .null),
                                                                       ("reason", .string(reason ?? "eligible"))])
        }
        let setAside: [JSONValue] = plan.setAside.map { describe($0.deployment, $0.provider, [("reason", .string($0.reason))]) }
        return (200, .object([
            ("model", .string(chat.model)), ("strategy", .string(plan.policy.strategy.rawValue)),
            ("fallbacks", .array(plan.policy.fallbacks.map { .string($0) })),
            ("estimated_prompt_tokens", .int(estimate.promptTokens)), ("estimated_output_tokens", .int(estimate.outputTokens)),
            ("candidates", .array(candidates)), ("set_aside", .array(setAside)),
        ]))
    }

    /// Why the coordinator would pass over this candidate now, or nil when it would try it.
    static func skipReason(_ candidate: FailoverCoordinator.Candidate, entry: DeploymentHealth.Entry?, health: DeploymentHealth,
                           limits: RateLimits, tokens: Int) -> String? {
        let fingerprint = candidate.provider.healthFingerprint
        if !health.wouldAdmit(candidate.deployment.id, fingerprint: fingerprint) {
            if let disabled = entry?.disabled, disabled.fingerprint == fingerprint { return "disabled: \(disabled.reason)" }
            if let entry, entry.restingUntil > health.clock() { return "resting after a 429 for \(entry.restingUntil - health.clock()) ms" }
            return "circuit \(entry?.breaker.state.name ?? "open")"
        }
        if let wait = limits.wouldAcquire(FailoverCoordinator.scope(candidate), tokens: tokens) {
            return "rate limited: room in \(wait) ms"
        }
        return nil
    }

    static func describe(_ deployment: ModelDeployment, _ provider: ProviderConfig?, _ extra: [(String, JSONValue)]) -> JSONValue {
        .object([("model", .string(deployment.name)), ("deployment", .string(deployment.id)), ("provider", .optional(provider?.name)),
                 ("upstream_model", .string(deployment.upstreamModel)), ("priority", .int(deployment.priority))] + extra)
    }
}

extension DataPlaneHandler {
    /// The route explanation for a chat request body, against the live configuration and health.
    public func explainRoute(_ body: [UInt8]) -> (status: Int, body: JSONValue) {
        RouteExplainer.explain(body, planner: planner(snapshots.current), limits: limits)
    }
}
