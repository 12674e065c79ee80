import Core
import HTTPKit
import HTTPServer
import Providers
import Telemetry
import UpstreamClient

/// `POST /v1/chat/completions` (and, through `MessagesHandler.swift`, `POST /v1/messages`): validates,
/// picks a deployment from the snapshot and relays the upstream answer.
struct ChatCompletionsHandler {
    let snapshot: ConfigSnapshot
    let upstream: UpstreamHTTPClient
    let requestLog: RequestLogWriter

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
        let deployment: ModelDeployment, provider: ProviderConfig
        do {
            (deployment, provider) = try route(chat.model)
        } catch {
            reject(error, model: chat.model, admission, responder)
            return
        }
        var context = relayContext(admission, model: chat.model, deployment: deployment, provider: provider, stream: chat.stream)
        let wire: WireRequest
        if let translator = chatTranslator(for: provider.kind) {
            do {
                let canonical = try ChatCompletionRequest(json: JSONParser.parse(request.body))
                wire = try translator.wireRequest(canonical, provider: provider, upstreamModel: deployment.upstreamModel)
            } catch let error as GatewayError {
                reject(error, model: chat.model, admission, responder)
                return
            } catch {
                reject(.invalidRequest("The request body is not valid JSON.", code: "invalid_json"), model: chat.model, admission, responder)
                return
            }
            context.translator = translator
            context.includeUsage = chat.includeUsage
        } else {
            let (request, addedUsage) = OpenAIAdapter.wireRequest(chat, provider: provider, upstreamModel: deployment.upstreamModel)
            wire = request
            context.hideUsageChunk = addedUsage
        }
        start(wire, context: context, provider: provider, responder: responder)
    }

    /// The deployment that serves `model` and its provider; 404 for unknown models, 502 for a provider whose key is missing.
    func route(_ model: String) throws(GatewayError) -> (ModelDeployment, ProviderConfig) {
        guard let deployment = snapshot.routeGroups[model]?.first, let provider = snapshot.providers[deployment.providerID] else {
            throw GatewayError(status: 404, type: "invalid_request_error", code: "model_not_found",
                               message: "The model '\(model)' does not exist or has no enabled deployment.", param: "model")
        }
        if let problem = provider.apiKeyProblem {
            throw GatewayError(status: 502, type: "api_error", code: "provider_misconfigured",
                               message: "Provider '\(provider.name)' cannot be called: \(problem).")
        }
        return (deployment, provider)
    }

    func relayContext(_ admission: Admission, model: String, deployment: ModelDeployment, provider: ProviderConfig,
                      stream: Bool) -> CompletionRelay.Context {
        var context = CompletionRelay.Context(requestID: admission.requestID, createdAtMillis: admission.createdAt,
                                              startedAtNanos: admission.startedAt, publicModel: model, providerName: provider.name,
                                              upstreamModel: deployment.upstreamModel, stream: stream)
        context.dialect = admission.dialect
        return context
    }

    /// Answers with `error` in the client's dialect and logs the refused request.
    func reject(_ error: GatewayError, model: String, _ admission: Admission, _ responder: HTTPResponder) {
        responder.respond(admission.dialect.errorResponse(error, headers: .switchyard(requestID: admission.requestID)))
        requestLog.record(RequestLogEntry(id: admission.requestID, createdAtMillis: admission.createdAt, model: model, status: error.status,
                                          errorType: error.code ?? error.type,
                                          latencyMillis: Int((Timestamp.monotonicNanos() - admission.startedAt) / 1_000_000)))
    }

    func start(_ wire: WireRequest, context: CompletionRelay.Context, provider: ProviderConfig, responder: HTTPResponder) {
        let relay = CompletionRelay(context: context, responder: responder, requestLog: requestLog)
        var upstreamHeaders = wire.headers
        // The same id in the provider's logs as in ours, for tracing one request across both.
        upstreamHeaders.add("x-request-id", context.requestID)
        upstreamHeaders.add("user-agent", "switchyard")
        let upstreamRequest = UpstreamRequest(method: "POST", url: wire.url, headers: upstreamHeaders, body: wire.body,
                                              connectTimeoutMillis: provider.timeouts.connectMillis,
                                              firstByteTimeoutMillis: provider.timeouts.firstByteMillis,
                                              totalTimeoutMillis: provider.timeouts.totalMillis, caFile: provider.caFile)
        relay.start(upstreamRequest, on: upstream)
    }
}
