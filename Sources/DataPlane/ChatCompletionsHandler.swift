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
///
/// A class, made once a request: the closures of a request's attempts capture it, and a struct of a dozen
/// references was copied, with a retain and a release for each, into every one of them.
final class ChatCompletionsHandler: @unchecked Sendable {
    // Safety: the shared members are thread-safe; `idleWatch` belongs to the loop serving the request, and
    // closures that capture the handler (cache waiters) run back on that loop.
    let upstream: UpstreamHTTPClient
    let requestLog: RequestLogWriter
    let planner: RoutePlanner
    let health: DeploymentHealth
    let limits: RateLimits
    let affinity: SessionAffinity
    let idleWatch: StreamIdleWatch
    let ledger: BudgetLedger
    let alerts: AlertNotifier
    /// How many replicas share each key's and team's rate limits (1: this one alone).
    let rateLimitReplicas: Int
    /// The response cache (nil where answers are never cached).
    let cache: ResponseCache?

    init(upstream: UpstreamHTTPClient, requestLog: RequestLogWriter, planner: RoutePlanner, health: DeploymentHealth, limits: RateLimits,
         affinity: SessionAffinity, idleWatch: StreamIdleWatch, ledger: BudgetLedger, alerts: AlertNotifier, rateLimitReplicas: Int = 1,
         cache: ResponseCache? = nil) {
        self.upstream = upstream
        self.requestLog = requestLog
        self.planner = planner
        self.health = health
        self.limits = limits
        self.affinity = affinity
        self.idleWatch = idleWatch
        self.ledger = ledger
        self.alerts = alerts
        self.rateLimitReplicas = rateLimitReplicas
        self.cache = cache
    }

    /// When and for whom one client request started, for its log row. A class: the request's closures capture it,
    /// and each capture of a struct copied (and retained) its strings, body and trace.
    final class Admission: Sendable {
        let ids: RequestIDs
        /// What the client's response carries in `x-request-id`.
        var requestID: String { ids.response }
        let startedAt = Timestamp.monotonicNanos()
        let createdAt = Timestamp.nowMillis()
        let dialect: ClientDialect
        /// `chat`, `messages` or `embeddings`.
        let endpoint: String
        let trace: TraceContext
        let caller: Caller
        let body: [UInt8]

        init(_ request: HTTPRequest, ids: RequestIDs, caller: Caller, dialect: ClientDialect, endpoint: String) {
            self.ids = ids
            self.caller = caller
            body = request.body
            self.dialect = dialect
            self.endpoint = endpoint
            trace = TraceContext.from(traceparent: request.headers["traceparent"])
        }

        /// The log row of a request answered with `error` before any attempt.
        func rejectedEntry(model: String, error: GatewayError) -> RequestLogEntry {
            var entry = entry(model: model, status: error.status)
            entry.fail(with: error)
            return entry
        }

        /// The log row of a request answered without an upstream attempt (refused, or from the cache).
        func entry(model: String, status: Int) -> RequestLogEntry {
            var entry = RequestLogEntry(id: ids.log, createdAtMillis: createdAt, model: model, status: status,
                                        latencyMillis: Int((Timestamp.monotonicNanos() - startedAt) / 1_000_000), endpoint: endpoint,
                                        clientRequestID: ids.client, traceID: trace.traceID)
            entry.keyID = caller.key?.id
            entry.team = caller.team?.id
            if caller.key?.logBodies == true { entry.requestBody = RequestCompletion.loggable(body) }
            return entry
        }
    }

    func handle(_ request: HTTPRequest, ids: RequestIDs, caller: Caller, responder: HTTPResponder) {
        let admission = Admission(request, ids: ids, caller: caller, dialect: .openAI, endpoint: "chat")
        let chat: ChatRequest
        do {
            chat = try ChatRequest(body: request.body)
        } catch {
            reject(error, model: "", admission, responder)
            return
        }
        let routed: (candidates: [FailoverCoordinator.Candidate], policy: RoutePolicy)
        let estimate = RoutePlanner.Estimate(chat: chat, bodyBytes: request.body.count, sessionHeader: request.headers["x-session-id"])
        do {
            routed = try planner.route(chat.model, estimate: estimate)
        } catch {
            reject(error, model: chat.model, admission, responder)
            return
        }
        let fetch = { (slot: CacheSlot?) in
            let candidates = routed.candidates
            // The canonical form is read once, and only when some candidate needs a translation.
            var canonical: ChatCompletionRequest?
            if candidates.contains(where: { chatTranslator(for: $0.provider.kind) != nil }) || (chat.stream && routed.policy.streamRecovery) {
                do {
                    canonical = try ChatCompletionRequest(json: JSONParser.parse(request.body))
                } catch let error as GatewayError {
                    self.reject(error, model: chat.model, admission, responder)
                    return
                } catch {
                    self.reject(.invalidRequest("The request body is not valid JSON.", code: "invalid_json"), model: chat.model, admission, responder)
                    return
                }
            }
            let reject = routed.policy.rejectUnsupportedParams
            self.run(admission, model: chat.model, routed: routed, estimate: estimate, responder: responder,
                recoveryRequest: chat.stream ? canonical : nil, cacheSlot: slot) { [canonical] candidate, attempt throws(GatewayError) in
                let context = self.relayContext(admission, model: chat.model, candidate: candidate, stream: chat.stream, attempt: attempt)
                let refused = try ParameterPolicy.refused(Set(chat.scan.fields.map(\.key)), by: candidate.deployment, reject: reject)
                let wire: WireRequest
                if let translator = chatTranslator(for: candidate.provider.kind), let canonical {
                    wire = try translator.wireRequest(refused.isEmpty ? canonical : canonical.removing(refused), provider: candidate.provider,
                                                      upstreamModel: candidate.deployment.upstreamModel)
                    context.translator = translator
                    context.includeUsage = chat.includeUsage
                } else {
                    // The body goes out as sent, less the parameters this model refuses.
                    let forwarded = refused.isEmpty ? chat : try ChatRequest(body: chat.scan.removing(refused))
                    let (request, addedUsage) = OpenAIAdapter.wireRequest(forwarded, provider: candidate.provider,
                                                                          upstreamModel: candidate.deployment.upstreamModel)
                    wire = request
                    context.hideUsageChunk = addedUsage
                }
                return (context, wire)
            }
        }
        switch consultCache(request, chat: chat, ttlSeconds: routed.policy.cacheTTLSeconds, admission: admission, responder: responder,
                            proceed: fetch) {
        case .bypass: fetch(nil)
        case .answered: return
        case .fetch(let slot): fetch(slot)
        }
    }

    /// Starts the attempts; answers at once when no candidate can take the request.
    func run(_ admission: Admission, model: String, routed: (candidates: [FailoverCoordinator.Candidate], policy: RoutePolicy),
             estimate: RoutePlanner.Estimate, responder: HTTPResponder, recoveryRequest: ChatCompletionRequest? = nil,
             cacheSlot: CacheSlot? = nil, prepare: @escaping FailoverCoordinator.Prepare) {
        guard let completion = admit(admission, model: model, candidates: routed.candidates, estimate: estimate, responder: responder) else { return }
        completion.cacheSlot = cacheSlot
        // All attempts and waits fit in the route's deadline, else the longest total timeout among the candidates.
        let budgetMillis = routed.policy.timeoutMillis ?? routed.candidates.map(\.provider.timeouts.totalMillis).max() ?? 0
        let coordinator = FailoverCoordinator(candidates: routed.candidates, prepare: prepare, health: health, limits: limits,
                                              estimate: estimate, upstream: upstream,
                                              responder: responder, completion: completion,
                                              deadlineNanos: admission.startedAt + UInt64(budgetMillis) * 1_000_000,
                                              maxRetries: routed.policy.retries ?? FailoverCoordinator.defaultRetries)
        coordinator.hedgeAfterMillis = routed.policy.hedgeAfterMillis
        coordinator.idleWatch = idleWatch
        if routed.policy.streamRecovery { coordinator.recoveryRequest = recoveryRequest }
        if let ttl = routed.policy.affinityTTLSeconds, let session = estimate.session {
            coordinator.onSuccess = { [affinity] deploymentID in
                affinity.pin(route: model, session: session, to: deploymentID, ttlMillis: ttl * 1000)
            }
        }
        if let error = coordinator.start() { reject(error, model: model, admission, responder, completion: completion) }
    }

    /// What the caller's key allows before any attempt: the model (403), the key's and team's rate limits
    /// (429) and their budgets, which reserve the request's worst-case cost (429 `budget_exceeded`). Answers
    /// and returns nil when refused.
    func admit(_ admission: Admission, model: String, candidates: [FailoverCoordinator.Candidate], estimate: RoutePlanner.Estimate,
               responder: HTTPResponder) -> RequestCompletion? {
        let caller = admission.caller
        do {
            try caller.checkAllowed(model)
        } catch {
            reject(error, model: model, admission, responder)
            return nil
        }
        let scope = caller.rateLimitScope(share: rateLimitReplicas)
        let tokens = estimate.promptTokens + estimate.outputTokens
        if !scope.limits.isEmpty, let wait = limits.acquire(scope, tokens: tokens) {
            var error = GatewayError(status: 429, type: "rate_limit_error", code: "rate_limit_exceeded",
                                     message: "The rate limit (rpm/tpm) of \(caller.team != nil ? "this key or its team" : "this key") is reached; retry later.")
            error.retryAfterSeconds = max(1, (wait + 999) / 1000)
            reject(error, model: model, admission, responder)
            return nil
        }
        var reservation: BudgetLedger.Reservation?
        let scopes = caller.budgetScopes
        if !scopes.isEmpty {
            switch ledger.reserve(scopes, amount: estimate.worstCaseCost(on: candidates)) {
            case .success(let granted):
                reservation = granted
            case .failure(let exceeded):
                if !scope.limits.isEmpty { limits.settle(scope, charged: tokens, actual: 0) }
                reject(Self.budgetError(exceeded), model: model, admission, responder)
                return nil
            }
        }
        return RequestCompletion(caller: caller, requestLog: requestLog, ledger: ledger, alerts: alerts, limits: limits, reservation: reservation,
                                 limitScope: scope, chargedTokens: tokens, requestBody: admission.body)
    }

    /// 429 `budget_exceeded`, stating the limit, the spend and when the period resets.
    static func budgetError(_ exceeded: BudgetLedger.Exceeded) -> GatewayError {
        let budget = exceeded.scope.budget
        let resets = exceeded.resetsAtMillis.map { "; it resets at \(Timestamp.iso8601($0))" } ?? "; it does not reset (total budget)"
        let inFlight = exceeded.reserved.value > 0 ? " (plus $\(exceeded.reserved) reserved by requests in flight)" : ""
        var error = GatewayError(status: 429, type: "budget_exceeded", code: "budget_exceeded",
                                 message: "The \(budget.period.rawValue) budget of \(exceeded.scope.label) cannot cover this request: $\(exceeded.spent) spent"
                                     + "\(inFlight) of its $\(budget.limit) limit, and the request could cost up to $\(exceeded.requested) "
                                     + "(set max_tokens to reserve less)\(resets).")
        if let resetsAt = exceeded.resetsAtMillis {
            error.retryAfterSeconds = Int(max(1, (resetsAt - Timestamp.nowMillis() + 999) / 1000))
        }
        return error
    }

    func relayContext(_ admission: Admission, model: String, candidate: FailoverCoordinator.Candidate, stream: Bool,
                      attempt: Int) -> CompletionRelay.Context {
        let context = CompletionRelay.Context(ids: admission.ids, createdAtMillis: admission.createdAt,
                                              startedAtNanos: admission.startedAt, publicModel: model, providerName: candidate.provider.name,
                                              upstreamModel: candidate.deployment.upstreamModel, stream: stream)
        context.dialect = admission.dialect
        context.endpoint = admission.endpoint
        context.trace = admission.trace
        context.pricing = candidate.deployment.prices.pricing(at: admission.createdAt)
        context.deploymentID = candidate.deployment.id
        context.providerFingerprint = candidate.provider.healthFingerprint
        context.attempt = attempt
        return context
    }

    /// Answers with `error` in the client's dialect and logs the refused request (settling its admission when it had one).
    func reject(_ error: GatewayError, model: String, _ admission: Admission, _ responder: HTTPResponder, completion: RequestCompletion? = nil) {
        responder.respond(admission.dialect.errorResponse(error, headers: .switchyard(requestID: admission.requestID)))
        let entry = admission.rejectedEntry(model: model, error: error)
        if let completion { completion.finish(entry) } else { requestLog.record(entry) }
    }
}
