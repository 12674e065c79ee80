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
    let upstream: UpstreamHTTPClient
    let requestLog: RequestLogWriter
    let planner: RoutePlanner
    let health: DeploymentHealth
    let limits: RateLimits
    let affinity: SessionAffinity
    let idleWatch: StreamIdleWatch

    /// When and for whom one client request started, for its log row.
    struct Admission {
        let requestID: String
        let startedAt = Timestamp.monotonicNanos()
        let createdAt = Timestamp.nowMillis()
        let dialect: ClientDialect
        /// `chat`, `messages` or `embeddings`.
        let endpoint: String
        let trace: TraceContext

        init(_ request: HTTPRequest, requestID: String, dialect: ClientDialect, endpoint: String) {
            self.requestID = requestID
            self.dialect = dialect
            self.endpoint = endpoint
            trace = TraceContext.from(traceparent: request.headers["traceparent"])
        }

        /// The log row of a request answered with `error` before any attempt.
        func rejectedEntry(model: String, error: GatewayError) -> RequestLogEntry {
            var entry = RequestLogEntry(id: requestID, createdAtMillis: createdAt, model: model, status: error.status,
                                        latencyMillis: Int((Timestamp.monotonicNanos() - startedAt) / 1_000_000))
            entry.fail(with: error)
            entry.endpoint = endpoint
            entry.traceID = trace.traceID
            return entry
        }
    }

    func handle(_ request: HTTPRequest, requestID: String, responder: HTTPResponder) {
        let admission = Admission(request, requestID: requestID, dialect: .openAI, endpoint: "chat")
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
        let candidates = routed.candidates
        // The canonical form is read once, and only when some candidate needs a translation.
        var canonical: ChatCompletionRequest?
        if candidates.contains(where: { chatTranslator(for: $0.provider.kind) != nil }) || (chat.stream && routed.policy.streamRecovery) {
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
        let reject = routed.policy.rejectUnsupportedParams
        run(admission, model: chat.model, routed: routed, estimate: estimate, responder: responder,
            recoveryRequest: chat.stream ? canonical : nil) { [canonical] candidate, attempt throws(GatewayError) in
            let context = relayContext(admission, model: chat.model, candidate: candidate, stream: chat.stream, attempt: attempt)
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

    /// Starts the attempts; answers at once when no candidate can take the request.
    func run(_ admission: Admission, model: String, routed: (candidates: [FailoverCoordinator.Candidate], policy: RoutePolicy),
             estimate: RoutePlanner.Estimate, responder: HTTPResponder, recoveryRequest: ChatCompletionRequest? = nil,
             prepare: @escaping FailoverCoordinator.Prepare) {
        // All attempts and waits fit in the route's deadline, else the longest total timeout among the candidates.
        let budgetMillis = routed.policy.timeoutMillis ?? routed.candidates.map(\.provider.timeouts.totalMillis).max() ?? 0
        let coordinator = FailoverCoordinator(candidates: routed.candidates, prepare: prepare, health: health, limits: limits,
                                              estimate: estimate, upstream: upstream,
                                              responder: responder, requestLog: requestLog,
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
        if let error = coordinator.start() { reject(error, model: model, admission, responder) }
    }

    func relayContext(_ admission: Admission, model: String, candidate: FailoverCoordinator.Candidate, stream: Bool,
                      attempt: Int) -> CompletionRelay.Context {
        let context = CompletionRelay.Context(requestID: admission.requestID, createdAtMillis: admission.createdAt,
                                              startedAtNanos: admission.startedAt, publicModel: model, providerName: candidate.provider.name,
                                              upstreamModel: candidate.deployment.upstreamModel, stream: stream)
        context.dialect = admission.dialect
        context.endpoint = admission.endpoint
        context.trace = admission.trace
        context.pricing = candidate.deployment.pricing
        context.deploymentID = candidate.deployment.id
        context.providerFingerprint = candidate.provider.healthFingerprint
        context.attempt = attempt
        return context
    }

    /// Answers with `error` in the client's dialect and logs the refused request.
    func reject(_ error: GatewayError, model: String, _ admission: Admission, _ responder: HTTPResponder) {
        responder.respond(admission.dialect.errorResponse(error, headers: .switchyard(requestID: admission.requestID)))
        requestLog.record(admission.rejectedEntry(model: model, error: error))
    }
}
