import Core
import Providers
import Routing

/// Decides which deployments may serve a request and in what order: the route group ordered by its
/// strategy, then its fallback names' groups; deployments that cannot take the prompt or whose provider
/// has no usable key are set aside with the reason; a healthy pinned session deployment goes first.
/// Used by the handlers and, without side effects, by `POST /admin/v1/route/explain`.
struct RoutePlanner {
    let snapshot: ConfigSnapshot
    let health: DeploymentHealth
    let turns: RouteTurns
    let affinity: SessionAffinity

    /// What routing estimates about a request before sending it: prompt tokens (about four bytes each),
    /// the output it may produce, and its affinity key (the `x-session-id` header, else its user).
    /// The output and session are read from the request only when a route needs them (cost ordering, token
    /// limits, affinity), so plain requests do not pay for them.
    final class Estimate {
        let promptTokens: Int
        private let readOutputLimit: () -> Int?
        private let readSession: () -> String?
        /// The output limit the request set, if any.
        private(set) lazy var requestedOutputTokens: Int? = readOutputLimit()
        /// The output assumed for token limits: the request's limit, else `assumedOutputTokens`.
        var outputTokens: Int { requestedOutputTokens ?? Self.assumedOutputTokens }
        private(set) lazy var session: String? = readSession()
        /// When the request arrived: the prices in force then apply to it.
        let arrivedAtMillis: Int64

        init(promptTokens: Int, outputLimit: @escaping @autoclosure () -> Int?, session: @escaping @autoclosure () -> String? = nil,
             arrivedAtMillis: Int64 = Timestamp.nowMillis()) {
            self.promptTokens = promptTokens
            self.arrivedAtMillis = arrivedAtMillis
            readOutputLimit = outputLimit
            readSession = session
        }

        /// The output assumed for cost estimates and token limits when a request sets no limit.
        static let assumedOutputTokens = 1_024
        /// The output a worst-case budget reservation assumes when neither the request nor the model sets a limit.
        static let worstCaseOutputTokens = 8_192

        /// For a chat-completions body: its output limit, and its session (`sessionHeader`, else its `user`).
        convenience init(chat: ChatRequest, bodyBytes: Int, sessionHeader: String?) {
            self.init(promptTokens: bodyBytes / 4,
                      outputLimit: chat.scan.value("max_completion_tokens")?.intValue ?? chat.scan.value("max_tokens")?.intValue,
                      session: sessionHeader ?? chat.scan.value("user")?.stringValue)
        }

        /// The most the request can cost on any of `candidates`: every body byte a prompt token (no tokenizer
        /// makes more), and the request's output limit, else the model's, else `worstCaseOutputTokens`.
        func worstCaseCost(on candidates: [FailoverCoordinator.Candidate]) -> Picodollars {
            candidates.map { candidate in
                let output = requestedOutputTokens ?? candidate.deployment.maxOutputTokens ?? Self.worstCaseOutputTokens
                guard let pricing = candidate.deployment.prices.pricing(at: arrivedAtMillis) else { return .zero }
                return Picodollars(usage: TokenUsage(inputTokens: promptTokens * 4, outputTokens: output), pricing: pricing)
            }.max() ?? .zero
        }
    }

    /// The deployments considered for a request, in order, and those set aside.
    struct Plan {
        var policy: RoutePolicy
        var candidates: [FailoverCoordinator.Candidate] = []
        var setAside: [(deployment: ModelDeployment, provider: ProviderConfig?, reason: String)] = []
        var promptTooLong = false
        var keyProblem: String?
        /// Whether deployments were set aside for having no price (the `block` unpriced policy).
        var unpriced = false
    }

    /// Plans `model`'s candidates; `advanceTurns` is false for explanations (round robin keeps its turn).
    func plan(_ model: String, estimate: Estimate, advanceTurns: Bool = true) throws(GatewayError) -> Plan {
        guard let group = snapshot.routeGroups[model], !group.isEmpty else {
            throw GatewayError(status: 404, type: "invalid_request_error", code: "model_not_found",
                               message: "The model '\(model)' does not exist or has no enabled deployment.", param: "model")
        }
        var plan = Plan(policy: snapshot.route(model))
        let blockUnpriced = snapshot.settings.unpricedPolicy == .block
        // The common case, one deployment and no fallbacks, without the general path's bookkeeping.
        if group.count == 1, plan.policy.fallbacks.isEmpty, group[0].provider.apiKeyProblem == nil,
           estimate.promptTokens <= group[0].deployment.contextWindow ?? .max,
           !blockUnpriced || group[0].deployment.prices.pricing(at: estimate.arrivedAtMillis) != nil {
            plan.candidates = group
            return plan
        }
        var seen: Set<String> = []
        for name in [model] + plan.policy.fallbacks {
            let members = (snapshot.routeGroups[name] ?? []).filter { candidate in
                let (deployment, provider) = (candidate.deployment, candidate.provider)
                guard !seen.contains(deployment.id) else { return false }
                if let keyProblem = provider.apiKeyProblem {
                    plan.keyProblem = plan.keyProblem ?? "Provider '\(provider.name)' cannot be called: \(keyProblem)."
                    plan.setAside.append((deployment, provider, "provider key: \(keyProblem)"))
                    return false
                }
                if blockUnpriced, deployment.prices.pricing(at: estimate.arrivedAtMillis) == nil {
                    plan.unpriced = true
                    plan.setAside.append((deployment, provider, "no price in force (unpriced_policy: block)"))
                    return false
                }
                if let window = deployment.contextWindow, estimate.promptTokens > window {
                    plan.promptTooLong = true
                    plan.setAside.append((deployment, provider, "context window \(window) < prompt of about \(estimate.promptTokens) tokens"))
                    return false
                }
                return true
            }
            let strategy = snapshot.route(name).strategy
            let turn = strategy == .roundRobin && advanceTurns ? turns.next(name) : 0
            // Deployments whose provider said its quota is nearly spent go last in their group.
            let low = members.count > 1 ? health.lowQuota(members.map(\.deployment.id)) : []
            let ordered = order(members, strategy: strategy, turn: turn, estimate: estimate)
            for index in ordered.filter({ !low.contains(members[$0].deployment.id) }) + ordered.filter({ low.contains(members[$0].deployment.id) }) {
                seen.insert(members[index].deployment.id)
                plan.candidates.append(members[index])
            }
        }
        if plan.policy.affinityTTLSeconds != nil, let session = estimate.session, let pinned = affinity.pinned(route: model, session: session),
           let index = plan.candidates.firstIndex(where: { $0.deployment.id == pinned }),
           health.wouldAdmit(pinned, fingerprint: plan.candidates[index].provider.healthFingerprint) {
            plan.candidates.insert(plan.candidates.remove(at: index), at: 0)
        }
        return plan
    }

    /// The candidates in order; 400 when the prompt fits no deployment, 502 when every provider lacks a usable key.
    func route(_ model: String, estimate: Estimate) throws(GatewayError) -> (candidates: [FailoverCoordinator.Candidate], policy: RoutePolicy) {
        let plan = try plan(model, estimate: estimate)
        guard !plan.candidates.isEmpty else {
            if plan.unpriced {
                throw GatewayError(status: 403, type: "permission_error", code: "model_unpriced",
                                   message: "The model '\(model)' has no price set, and this gateway refuses unpriced models (unpriced_policy: block); an operator must set its pricing.",
                                   param: "model")
            }
            if plan.promptTooLong {
                throw GatewayError(status: 400, type: "invalid_request_error", code: "context_length_exceeded",
                                   message: "The prompt (about \(estimate.promptTokens) tokens) exceeds the context window of every deployment of '\(model)'.",
                                   param: "messages")
            }
            throw GatewayError(status: 502, type: "api_error", code: "provider_misconfigured",
                               message: plan.keyProblem ?? "The model '\(model)' has no callable deployment.")
        }
        let policy = plan.policy
        guard policy.connectTimeoutMillis != nil || policy.firstByteTimeoutMillis != nil || policy.streamIdleTimeoutMillis != nil else {
            return (plan.candidates, policy)
        }
        // The route's timeouts override each provider's for this request.
        return (plan.candidates.map { candidate in
            var provider = candidate.provider
            provider.timeouts = policy.timeouts(for: provider.timeouts)
            return .init(deployment: candidate.deployment, provider: provider)
        }, policy)
    }

    /// What the request would cost at `pricing`, for cost ordering; an unpriced deployment goes last, never first
    /// as if free.
    static func estimatedCostMicros(_ pricing: Pricing?, _ estimate: Estimate) -> Int64 {
        guard let pricing else { return .max }
        return pricing.inputPerMTok.value * Int64(estimate.promptTokens) / 1_000_000
            + pricing.outputPerMTok.value * Int64(estimate.outputTokens) / 1_000_000
    }

    /// One group's deployments ordered by `strategy`.
    func order(_ members: [RouteCandidate], strategy: RoutePolicy.Strategy, turn: UInt64, estimate: Estimate) -> [Int] {
        guard members.count > 1 else { return Array(members.indices) }
        let entries = strategy == .leastLatency || strategy == .leastBusy ? health.allEntries() : [:]
        let facts = members.map { member in
            let deployment = member.deployment
            return DeploymentFacts(id: deployment.id, priority: deployment.priority, weight: deployment.weight,
                                   estimatedCostMicros: Self.estimatedCostMicros(deployment.prices.pricing(at: estimate.arrivedAtMillis), estimate),
                                   inFlight: entries[deployment.id]?.inFlight ?? 0, latencyMillis: entries[deployment.id]?.latencyMillis)
        }
        return CandidateOrder.order(facts, strategy: strategy, turn: turn, random: { Int.random(in: $0) })
    }
}
