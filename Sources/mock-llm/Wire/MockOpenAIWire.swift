import Core
import HTTPKit

/// OpenAI Chat Completions: `Authorization: Bearer`, `chat.completion` and `chat.completion.chunk` with `[DONE]`.
struct MockOpenAIWire: MockWire {
    func authenticate(_ request: HTTPRequest, requiredKey: String) -> HTTPResponse? {
        guard request.headers["authorization"] != "Bearer \(requiredKey)" else { return nil }
        return .json(401, Self.error("Incorrect API key provided.", type: "invalid_request_error", code: "invalid_api_key"))
    }

    func plan(_ request: HTTPRequest, body: JSONValue) -> Result<MockPlan, MockRefusal> {
        guard let model = body["model"]?.stringValue, let messages = body["messages"]?.arrayValue, !messages.isEmpty else {
            return invalid("invalid request body")
        }
        var words = 0
        for message in messages {
            if let text = message["content"]?.stringValue { words += wordCount(text) }
            for part in message["content"]?.arrayValue ?? [] { words += wordCount(part["text"]?.stringValue ?? "") }
        }
        let answered = messages.last?["role"]?.stringValue == "tool"
        return .success(MockPlan(model: model, stream: body["stream"]?.boolValue ?? false,
                                 includeUsage: body["stream_options"]?["include_usage"]?.boolValue ?? false, promptWords: max(1, words),
                                 toolToCall: answered ? nil : body["tools"]?.arrayValue?.first?["function"]?["name"]?.stringValue))
    }

    func usage(_ completion: MockCompletion) -> JSONValue {
        .object([("prompt_tokens", .int(completion.promptTokens)), ("completion_tokens", .int(completion.outputTokens)),
                 ("total_tokens", .int(completion.promptTokens + completion.outputTokens))])
    }

    func response(_ completion: MockCompletion) -> JSONValue {
        var message: [(String, JSONValue)] = [("role", .string("assistant"))]
        if let tool = completion.toolCall {
            message.append(("content", .null))
            message.append(("tool_calls", .array([.object([("id", .string(MockCompletion.toolCallID)), ("type", .string("function")),
                                                           ("function", .object([("name", .string(tool)),
                                                                                 ("arguments", .string(MockCompletion.toolArguments))]))])])))
        } else {
            message.append(("content", .string(completion.text)))
        }
        let finish = completion.toolCall == nil ? "stop" : "tool_calls"
        return envelope(completion, object: "chat.completion", choices: [
            .object([("index", .int(0)), ("message", .object(message)), ("logprobs", .null), ("finish_reason", .string(finish))]),
        ]).setting("usage", to: usage(completion))
    }

    /// OpenAI sends the usage chunk (when asked for) and `[DONE]` right after the finishing chunk.
    func trailingEventCount(_ completion: MockCompletion) -> Int { completion.includeUsage ? 2 : 1 }

    func streamEvents(_ completion: MockCompletion) -> [[UInt8]] {
        var deltas: [[(String, JSONValue)]] = []
        if let tool = completion.toolCall {
            deltas.append([("role", .string("assistant")), ("content", .null), ("tool_calls", .array([.object([
                ("index", .int(0)), ("id", .string(MockCompletion.toolCallID)), ("type", .string("function")),
                ("function", .object([("name", .string(tool)), ("arguments", .string(""))])),
            ])]))])
            for piece in MockCompletion.toolArgumentPieces {
                deltas.append([("tool_calls", .array([.object([("index", .int(0)), ("function", .object([("arguments", .string(piece))]))])]))])
            }
        } else {
            for index in 0..<completion.chunkCount {
                deltas.append((index == 0 ? [("role", .string("assistant"))] : []) + [("content", .string(completion.word(index)))])
            }
        }
        var events = deltas.map { delta in
            chunk(completion, [("index", .int(0)), ("delta", .object(delta)), ("logprobs", .null), ("finish_reason", .null)])
        }
        events.append(chunk(completion, [("index", .int(0)), ("delta", .object([])), ("logprobs", .null),
                                         ("finish_reason", .string(completion.toolCall == nil ? "stop" : "tool_calls"))]))
        if completion.includeUsage {
            events.append(SSEEvent(data: JSONWriter.string(envelope(completion, object: "chat.completion.chunk", choices: [])
                .setting("usage", to: usage(completion)))).encoded)
        }
        events.append(SSEEvent(data: "[DONE]").encoded)
        return events
    }

    private func chunk(_ completion: MockCompletion, _ choice: [(String, JSONValue)]) -> [UInt8] {
        SSEEvent(data: JSONWriter.string(envelope(completion, object: "chat.completion.chunk", choices: [.object(choice)]))).encoded
    }

    private func envelope(_ completion: MockCompletion, object: String, choices: [JSONValue]) -> JSONValue {
        .object([("id", .string(completion.id)), ("object", .string(object)), ("created", .int(completion.created)),
                 ("model", .string(completion.model)), ("choices", .array(choices))])
    }

    func errorResponse(status: Int, message: String) -> HTTPResponse {
        let type = status == 429 ? "rate_limit_error" : (status >= 500 ? "server_error" : "invalid_request_error")
        return .json(status, Self.error(message, type: type))
    }

    static func error(_ message: String, type: String, code: String? = nil) -> JSONValue {
        .object([("error", .object([("message", .string(message)), ("type", .string(type)), ("code", .optional(code)), ("param", .null)]))])
    }
}
