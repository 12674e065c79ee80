import Core
import HTTPKit
import HTTPServer
import Providers
import Routing
import Telemetry
import UpstreamClient

/// `POST /v1/chat/completions` (and, through `MessagesHandler.swift` and `EmbeddingsHandler.swift`,
/// `/v1/messages` and `/v1/embeddings`): validates, lists the route group's deployments and hands them
/// to a `FailoverCoordinator`, which relays the first good answer.
struct ChatCompletionsHandler {
    let snapshot: ConfigSnapshot
    let upstream: UpstreamHTTPClient
    let requestLog: RequestLogWriter
    let health: DeploymentHealth
    let turns: RouteTurns
    let limits: RateLimits
    let affinity: SessionAffinity

    /// The output assumed for cost estimates when a request sets no limit.
    static let assumedOutputTokens = 1_024

    /// When and for whom one client request started, for its log row.
    struct Admission {
        let requestID: String
        let startedAt = Timestamp.monotonicNanos()
        let createdAt = Timestamp.nowMillis()
        let dialect: ClientDialect
    }

    func handle(_ request: HTTPRequest, requestID: String, responder: HTTPResponder) {
        let admission = Admission(requestID: requestID, dialect: .openAI)
        let chat: ChatRequest
        do {
            chat = try ChatRequest(body: request.body)
        } catch {
            reject(error, model: "", admission, responder)
            return
        }
        let routed: (candidates: [FailoverCoordinator.Candidate], policy: RoutePolicy)
        let maxOutput = chat.scan.value("max_completion_tokens")?.intValue ?? chat.scan.value("max_tokens")?.intValue ?? Self.assumedOutputTokens
        let estimate = Estimate(promptTokens: request.body.count / 4, outputTokens: maxOutput,
                                session: request.headers["x-session-id"] ?? chat.scan.value("user")?.stringValue)
        do {
            routed = try route(chat.model, estimate: estimate)
        } catch {
            reject(error, model: chat.model, admission, responder)
            return
        }
        let candidates = routed.candidates
        // The canonical form is read once, and only when some candidate needs a translation.
        var canonical: ChatCompletionRequest?
        if candidates.contains(where: { chatTranslator(for: $0.provider.kind) != nil }) {
            do {
                canonical = try ChatCompletionRequest(json: JSONParser.parse(request.body))
            } catch let error as GatewayError {
                reject(error, model: chat.model, admission, responder)
                return
            } catch {
                reject(.invalidRequest("The request body is not valid JSON.", code: "invalid_json"), model: chat.model, admission, responder)
                return
            }
        }
        run(admission, model: chat.model, routed: routed, estimate: estimate, responder: responder) { [canonical] candidate, attempt throws(GatewayError) in
            var context = relayContext(admission, model: chat.model, candidate: candidate, stream: chat.stream, attempt: attempt)
            let wire: WireRequest
            if let translator = chatTranslator(for: candidate.provider.kind), let canonical {
                wire = try translator.wireRequest(canonical, provider: candidate.provider, upstreamModel: candidate.deployment.upstreamModel)
                context.translator = translator
                context.includeUsage = chat.includeUsage
            } else {
                let (request, addedUsage) = OpenAIAdapter.wireRequest(chat, provider: candidate.provider,
                                                                      upstreamModel: candidate.deployment.upstreamModel)
                wire = request
                context.hideUsageChunk = addedUsage
            }
            return (context, wire)
        }
    }

    /// What routing estimates about a request before sending it: prompt tokens (about four bytes each) and
    /// the output it may produce.
    struct Estimate {
        var promptTokens: Int
        var outputTokens: Int
        /// The affinity key: the `x-session-id` header, else the request's user.
        var session: String? = nil
    }

    /// The deployments that may serve `model`, in the order its route's strategy picks, followed by those of
    /// its fallback names; deployments whose context window the prompt would exceed are left out. 404 for
    /// unknown models, 400 when the prompt fits no deployment, 502 when every provider lacks a usable key.
    func route(_ model: String, estimate: Estimate) throws(GatewayError) -> (candidates: [FailoverCoordinator.Candidate], policy: RoutePolicy) {
        guard let group = snapshot.routeGroups[model], !group.isEmpty else {
            throw GatewayError(status: 404, type: "invalid_request_error", code: "model_not_found",
                               message: "The model '\(model)' does not exist or has no enabled deployment.", param: "model")
        }
        let policy = snapshot.route(model)
        var candidates: [FailoverCoordinator.Candidate] = []
        var seen: Set<String> = []
        var problem: String?
        var tooLong = false
        for name in [model] + policy.fallbacks {
            let members = (snapshot.routeGroups[name] ?? []).filter { deployment in
                guard !seen.contains(deployment.id), let provider = snapshot.providers[deployment.providerID] else { return false }
                if let keyProblem = provider.apiKeyProblem {
                    problem = problem ?? "Provider '\(provider.name)' cannot be called: \(keyProblem)."
                    return false
                }
                if let window = deployment.contextWindow, estimate.promptTokens > window {
                    tooLong = true
                    return false
                }
                return true
            }
            for index in order(members, strategy: snapshot.route(name).strategy, route: name, estimate: estimate) {
                seen.insert(members[index].id)
                candidates.append(.init(deployment: members[index], provider: snapshot.providers[members[index].providerID]!))
            }
        }
        // A session pinned to a deployment that is still healthy goes there first.
        if policy.affinityTTLSeconds != nil, let session = estimate.session, let pinned = affinity.pinned(route: model, session: session),
           let index = candidates.firstIndex(where: { $0.deployment.id == pinned }),
           health.wouldAdmit(pinned, fingerprint: candidates[index].provider.healthFingerprint) {
            candidates.insert(candidates.remove(at: index), at: 0)
        }
        guard !candidates.isEmpty else {
            if tooLong {
                throw GatewayError(status: 400, type: "invalid_request_error", code: "context_length_exceeded",
                                   message: "The prompt (about \(estimate.promptTokens) tokens) exceeds the context window of every deployment of '\(model)'.",
                                   param: "messages")
            }
            throw GatewayError(status: 502, type: "api_error", code: "provider_misconfigured",
                               message: problem ?? "The model '\(model)' has no callable deployment.")
        }
        return (candidates, policy)
    }

    /// One group's deployments ordered by `strategy`.
    func order(_ members: [ModelDeployment], strategy: RoutePolicy.Strategy, route: String, estimate: Estimate) -> [Int] {
        guard members.count > 1 else { return Array(members.indices) }
        let entries = strategy == .leastLatency || strategy == .leastBusy ? health.allEntries() : [:]
        let facts = members.map { deployment in
            DeploymentFacts(id: deployment.id, priority: deployment.priority, weight: deployment.weight,
                            estimatedCostMicros: deployment.pricing.inputPerMTok.value * Int64(estimate.promptTokens) / 1_000_000
                                + deployment.pricing.outputPerMTok.value * Int64(estimate.outputTokens) / 1_000_000,
                            inFlight: entries[deployment.id]?.inFlight ?? 0, latencyMillis: entries[deployment.id]?.latencyMillis)
        }
        return CandidateOrder.order(facts, strategy: strategy, turn: strategy == .roundRobin ? turns.next(route) : 0,
                                    random: { Int.random(in: $0) })
    }

    /// Starts the attempts; answers at once when no candidate can take the request.
    func run(_ admission: Admission, model: String, routed: (candidates: [FailoverCoordinator.Candidate], policy: RoutePolicy),
             estimate: Estimate, responder: HTTPResponder, prepare: @escaping FailoverCoordinator.Prepare) {
        // All attempts and waits fit in the route's deadline, else the longest total timeout among the candidates.
        let budgetMillis = routed.policy.timeoutMillis ?? routed.candidates.map(\.provider.timeouts.totalMillis).max() ?? 0
        let coordinator = FailoverCoordinator(candidates: routed.candidates, prepare: prepare, health: health, limits: limits,
                                              estimatedTokens: estimate.promptTokens + estimate.outputTokens, upstream: upstream,
                                              responder: responder, requestLog: requestLog,
                                              deadlineNanos: admission.startedAt + UInt64(budgetMillis) * 1_000_000,
                                              maxRetries: routed.policy.retries ?? FailoverCoordinator.defaultRetries)
        if let ttl = routed.policy.affinityTTLSeconds, let session = estimate.session {
            coordinator.onSuccess = { [affinity] deploymentID in
                affinity.pin(route: model, session: session, to: deploymentID, ttlMillis: ttl * 1000)
            }
        }
        if let error = coordinator.start() { reject(error, model: model, admission, responder) }
    }

    func relayContext(_ admission: Admission, model: String, candidate: FailoverCoordinator.Candidate, stream: Bool,
                      attempt: Int) -> CompletionRelay.Context {
        var context = CompletionRelay.Context(requestID: admission.requestID, createdAtMillis: admission.createdAt,
                                              startedAtNanos: admission.startedAt, publicModel: model, providerName: candidate.provider.name,
                                              upstreamModel: candidate.deployment.upstreamModel, stream: stream)
        context.dialect = admission.dialect
        context.deploymentID = candidate.deployment.id
        context.providerFingerprint = candidate.provider.healthFingerprint
        context.attempt = attempt
        return context
    }

    /// Answers with `error` in the client's dialect and logs the refused request.
    func reject(_ error: GatewayError, model: String, _ admission: Admission, _ responder: HTTPResponder) {
        responder.respond(admission.dialect.errorResponse(error, headers: .switchyard(requestID: admission.requestID)))
        requestLog.record(RequestLogEntry(id: admission.requestID, createdAtMillis: admission.createdAt, model: model, status: error.status,
                                          errorType: error.code ?? error.type,
                                          latencyMillis: Int((Timestamp.monotonicNanos() - admission.startedAt) / 1_000_000)))
    }
}
