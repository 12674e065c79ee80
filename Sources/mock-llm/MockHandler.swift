import Core
import Dispatch
import HTTPKit
import HTTPServer

/// An OpenAI-compatible upstream for tests, demos and benchmarks.
final class MockHandler: HTTPHandler {
    let defaults: MockBehaviour
    let requiredKey: String?
    let stats = MockStats()
    let timers = DispatchQueue(label: "mock-llm.timers", attributes: .concurrent)

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
        case ("POST", "/v1/chat/completions"):
            chatCompletion(request, responder: responder)
        default:
            responder.respond(.json(404, error("unknown path \(request.path)", type: "invalid_request_error")))
        }
    }

    func error(_ message: String, type: String, code: String? = nil) -> JSONValue {
        .object([("error", .object([("message", .string(message)), ("type", .string(type)), ("code", .optional(code)), ("param", .null)]))])
    }

    func chatCompletion(_ request: HTTPRequest, responder: HTTPResponder) {
        let authorization = request.headers["authorization"]
        let requestID = request.headers["x-request-id"]
        stats.update { $0.requests += 1; $0.lastAuthorization = authorization; $0.lastRequestID = requestID }
        if let requiredKey, authorization != "Bearer \(requiredKey)" {
            responder.respond(.json(401, error("Incorrect API key provided.", type: "invalid_request_error", code: "invalid_api_key")))
            return
        }
        guard let document = try? JSONParser.parse(request.body), let model = document["model"]?.stringValue,
              let messages = document["messages"]?.arrayValue else {
            responder.respond(.json(400, error("invalid request body", type: "invalid_request_error")))
            return
        }
        stats.update { $0.lastModel = model }
        let behaviour = defaults.overridden(by: request.headers, model: model)
        let completion = MockCompletion(model: model, promptTokens: MockCompletion.countWords(messages), chunkCount: behaviour.chunks,
                                        includeUsage: document["stream_options"]?["include_usage"]?.boolValue ?? false,
                                        padding: String(repeating: "x", count: behaviour.padding))
        let delay = Int.random(in: behaviour.latencyMillis)
        let stream = document["stream"]?.boolValue ?? false
        timers.asyncAfter(deadline: .now() + .milliseconds(delay)) { [self] in
            if behaviour.fault == .reset {
                responder.abort()
            } else if behaviour.status != 200 {
                let type = behaviour.status == 429 ? "rate_limit_error" : (behaviour.status >= 500 ? "server_error" : "invalid_request_error")
                var response = HTTPResponse.json(behaviour.status, error("mock failure with status \(behaviour.status)", type: type))
                if behaviour.status == 429 { response.headers.add("retry-after", "1") }
                responder.respond(response)
            } else if behaviour.fault == .errorBody {
                responder.respond(.json(200, error("the model is overloaded", type: "server_error", code: "overloaded")))
            } else if stream {
                MockStream(completion: completion, behaviour: behaviour, responder: responder, stats: stats, timers: timers).start()
            } else {
                responder.respond(.json(200, completion.response))
            }
        }
    }
}
