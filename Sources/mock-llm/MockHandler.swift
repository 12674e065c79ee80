import Core
import HTTPKit
import HTTPServer

/// A strict stand-in for the providers' APIs (OpenAI, Anthropic, Gemini) for tests, demos and benchmarks.
final class MockHandler: HTTPHandler {
    let defaults: MockBehaviour
    let requiredKey: String?
    let stats = MockStats()

    init(defaults: MockBehaviour, requiredKey: String?) {
        self.defaults = defaults
        self.requiredKey = requiredKey
    }

    func handle(_ request: HTTPRequest, context: RequestContext, responder: HTTPResponder) {
        switch (request.method, request.path) {
        case ("GET", "/mock/stats"):
            responder.respond(.json(200, stats.json))
        case ("GET", "/v1/models"):
            responder.respond(.json(200, .object([("object", .string("list")), ("data", .array([
                .object([("id", .string("mock-demo")), ("object", .string("model")), ("created", .int(0)), ("owned_by", .string("mock-llm"))]),
            ]))])))
        case ("POST", let path) where MockEmbeddings.format(path) != nil:
            embed(request, MockEmbeddings(format: MockEmbeddings.format(path)!), responder: responder)
        case ("POST", "/v1/chat/completions"):
            complete(request, wire: MockOpenAIWire(), responder: responder)
        case ("POST", "/v2/chat"):
            complete(request, wire: MockCohereWire(), responder: responder)
        case ("POST", "/api/chat"):
            complete(request, wire: MockOllamaWire(), responder: responder)
        case ("POST", "/v1/messages"):
            complete(request, wire: MockAnthropicWire(), responder: responder)
        case ("POST", let path) where MockAzureWire.deployment(path) != nil:
            complete(request, wire: MockAzureWire(), responder: responder)
        case ("POST", let path) where MockBedrockWire.route(path) != nil:
            complete(request, wire: MockBedrockWire(), responder: responder)
        case ("POST", let path) where MockGeminiWire.route(path) != nil:
            complete(request, wire: MockGeminiWire(), responder: responder)
        default:
            responder.respond(MockOpenAIWire().errorResponse(status: 404, message: "unknown path \(request.path)"))
        }
    }

    /// Answers one embeddings request in its provider's format, after the same auth check as completions.
    func embed(_ request: HTTPRequest, _ embeddings: MockEmbeddings, responder: HTTPResponder) {
        stats.update { $0.requests += 1 }
        if let requiredKey, let refusal = embeddings.wire.authenticate(request, requiredKey: requiredKey) {
            responder.respond(refusal)
            return
        }
        guard let document = try? JSONParser.parse(request.body), case .object = document else {
            responder.respond(embeddings.wire.errorResponse(status: 400, message: "the request body is not a JSON object"))
            return
        }
        responder.respond(embeddings.answer(document))
    }

    /// Answers one completion request in `wire`'s format, after checking it as the real API would.
    func complete(_ request: HTTPRequest, wire: any MockWire, responder: HTTPResponder) {
        let requestID = request.headers["x-request-id"]
        let credential = request.headers["authorization"] ?? request.headers["x-api-key"] ?? request.headers["x-goog-api-key"]
            ?? request.headers["api-key"]
        let traceparent = request.headers["traceparent"]
        stats.update { $0.requests += 1; $0.lastAuthorization = credential; $0.lastRequestID = requestID; $0.lastTraceparent = traceparent }
        if let requiredKey, let refusal = wire.authenticate(request, requiredKey: requiredKey) {
            responder.respond(refusal)
            return
        }
        guard let document = try? JSONParser.parse(request.body), case .object = document else {
            responder.respond(wire.errorResponse(status: 400, message: "the request body is not a JSON object"))
            return
        }
        let plan: MockPlan
        switch wire.plan(request, body: document) {
        case .success(let planned): plan = planned
        case .failure(let refusal):
            responder.respond(refusal.response)
            return
        }
        stats.update { $0.lastModel = plan.model }
        let behaviour = defaults.overridden(by: request.headers, model: plan.model)
        if let refused = behaviour.refusedParameter, document[refused] != nil {
            responder.respond(wire.errorResponse(status: 400, message: "Unsupported parameter: '\(refused)' is not supported with this model."))
            return
        }
        let completion = MockCompletion(model: plan.model, promptTokens: plan.promptWords, chunkCount: behaviour.chunks,
                                        includeUsage: plan.includeUsage, padding: String(repeating: "x", count: behaviour.padding),
                                        toolCall: plan.toolToCall)
        let delay = Int.random(in: behaviour.latencyMillis)
        responder.runOnLoop(atNanos: Timestamp.monotonicNanos() + UInt64(delay) * 1_000_000) { [self] in
            if behaviour.fault == .reset {
                responder.abort()
            } else if behaviour.status != 200 {
                var response = wire.errorResponse(status: behaviour.status, message: "mock failure with status \(behaviour.status)")
                if behaviour.status == 429 { response.headers.add("retry-after", "1") }
                responder.respond(response)
            } else if behaviour.fault == .malformed {
                responder.respond(HTTPResponse(status: 200, headers: HTTPHeaders("content-type", "application/json"),
                                               body: Array(JSONWriter.encode(wire.response(completion)).prefix(40))))
            } else if behaviour.fault == .errorBody {
                responder.respond(wire.errorResponse(status: 200, message: "the model is overloaded"))
            } else if plan.stream {
                MockStream(events: wire.streamEvents(completion), trailing: wire.trailingEventCount(completion), contentType: wire.streamContentType, behaviour: behaviour, responder: responder, stats: stats).start()
            } else {
                var response = HTTPResponse.json(200, wire.response(completion))
                if let remaining = behaviour.remainingRequests {
                    for (name, value) in [("x-ratelimit-limit-requests", "100"), ("x-ratelimit-remaining-requests", String(remaining)),
                                          ("x-ratelimit-reset-requests", "30s")] {
                        response.headers.add(name, value)
                    }
                }
                responder.respond(response)
            }
        }
    }
}
