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
        let candidates: [FailoverCoordinator.Candidate]
        do {
            candidates = try route(chat.model)
        } catch {
            reject(error, model: chat.model, admission, responder)
            return
        }
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
        run(admission, model: chat.model, candidates: candidates, responder: responder) { [canonical] candidate, attempt throws(GatewayError) in
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

    /// The deployments that may serve `model`, best first; 404 for unknown models, 502 when every
    /// provider behind it lacks a usable key.
    func route(_ model: String) throws(GatewayError) -> [FailoverCoordinator.Candidate] {
        guard let group = snapshot.routeGroups[model], !group.isEmpty else {
            throw GatewayError(status: 404, type: "invalid_request_error", code: "model_not_found",
                               message: "The model '\(model)' does not exist or has no enabled deployment.", param: "model")
        }
        var candidates: [FailoverCoordinator.Candidate] = []
        var problem: String?
        for deployment in group {
            guard let provider = snapshot.providers[deployment.providerID] else { continue }
            if let keyProblem = provider.apiKeyProblem {
                problem = problem ?? "Provider '\(provider.name)' cannot be called: \(keyProblem)."
                continue
            }
            candidates.append(.init(deployment: deployment, provider: provider))
        }
        guard !candidates.isEmpty else {
            throw GatewayError(status: 502, type: "api_error", code: "provider_misconfigured",
                               message: problem ?? "The model '\(model)' has no callable deployment.")
        }
        return candidates
    }

    /// Starts the attempts; answers at once when no candidate can take the request.
    func run(_ admission: Admission, model: String, candidates: [FailoverCoordinator.Candidate], responder: HTTPResponder,
             prepare: @escaping FailoverCoordinator.Prepare) {
        // All attempts and waits fit in the longest total timeout among the candidates (routes will override it).
        let budget = UInt64(candidates.map(\.provider.timeouts.totalMillis).max() ?? 0) * 1_000_000
        let coordinator = FailoverCoordinator(candidates: candidates, prepare: prepare, health: health, upstream: upstream,
                                              responder: responder, requestLog: requestLog, deadlineNanos: admission.startedAt + budget)
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
