import Core
import HTTPKit
import HTTPServer
import Providers
import Telemetry
import UpstreamClient

/// `POST /v1/chat/completions`: validates, picks a deployment from the snapshot and relays the upstream answer.
struct ChatCompletionsHandler {
    let snapshot: ConfigSnapshot
    let upstream: UpstreamHTTPClient
    let requestLog: RequestLogWriter

    func handle(_ request: HTTPRequest, requestID: String, responder: HTTPResponder) {
        let startedAt = Timestamp.monotonicNanos()
        let createdAt = Timestamp.nowMillis()
        func reject(_ error: GatewayError, model: String) {
            responder.respond(.gatewayError(error, headers: .switchyard(requestID: requestID)))
            requestLog.record(RequestLogEntry(id: requestID, createdAtMillis: createdAt, model: model, status: error.status,
                                              errorType: error.code ?? error.type,
                                              latencyMillis: Int((Timestamp.monotonicNanos() - startedAt) / 1_000_000)))
        }
        let chat: ChatRequest
        do {
            chat = try ChatRequest(body: request.body)
        } catch {
            reject(error, model: "")
            return
        }
        guard let deployment = snapshot.routeGroups[chat.model]?.first, let provider = snapshot.providers[deployment.providerID] else {
            reject(GatewayError(status: 404, type: "invalid_request_error", code: "model_not_found",
                                message: "The model '\(chat.model)' does not exist or has no enabled deployment.", param: "model"),
                   model: chat.model)
            return
        }
        if let problem = provider.apiKeyProblem {
            reject(GatewayError(status: 502, type: "api_error", code: "provider_misconfigured",
                                message: "Provider '\(provider.name)' cannot be called: \(problem)."), model: chat.model)
            return
        }
        var context = CompletionRelay.Context(requestID: requestID, createdAtMillis: createdAt, startedAtNanos: startedAt,
                                              publicModel: chat.model, providerName: provider.name,
                                              upstreamModel: deployment.upstreamModel, stream: chat.stream)
        let wire: WireRequest
        if let translator = chatTranslator(for: provider.kind) {
            do {
                let canonical = try ChatCompletionRequest(json: JSONParser.parse(request.body))
                wire = try translator.wireRequest(canonical, provider: provider, upstreamModel: deployment.upstreamModel)
            } catch let error as GatewayError {
                reject(error, model: chat.model)
                return
            } catch {
                reject(.invalidRequest("The request body is not valid JSON.", code: "invalid_json"), model: chat.model)
                return
            }
            context.translator = translator
            context.includeUsage = chat.includeUsage
        } else {
            let (request, addedUsage) = OpenAIAdapter.wireRequest(chat, provider: provider, upstreamModel: deployment.upstreamModel)
            wire = request
            context.hideUsageChunk = addedUsage
        }
        let relay = CompletionRelay(context: context, responder: responder, requestLog: requestLog)
        var upstreamHeaders = wire.headers
        // The same id in the provider's logs as in ours, for tracing one request across both.
        upstreamHeaders.add("x-request-id", requestID)
        upstreamHeaders.add("user-agent", "switchyard")
        let upstreamRequest = UpstreamRequest(method: "POST", url: wire.url, headers: upstreamHeaders, body: wire.body,
                                              connectTimeoutMillis: provider.timeouts.connectMillis,
                                              firstByteTimeoutMillis: provider.timeouts.firstByteMillis,
                                              totalTimeoutMillis: provider.timeouts.totalMillis, caFile: provider.caFile)
        relay.start(upstreamRequest, on: upstream)
    }
}
