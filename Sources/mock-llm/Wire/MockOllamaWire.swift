import Core
import HTTPKit

/// Ollama's native chat (`POST /api/chat`): streams unless `stream` is false, string content only,
/// images as base64, tool-call arguments as objects, sampling under `options`; NDJSON stream whose
/// last line has `done: true` and the token counts. Checks a bearer key only when one is configured
/// (Ollama itself has none; proxies in front of it do).
struct MockOllamaWire: MockWire {
    var streamContentType: String { "application/x-ndjson" }

    func authenticate(_ request: HTTPRequest, requiredKey: String) -> HTTPResponse? {
        guard request.headers["authorization"] != "Bearer " + requiredKey else { return nil }
        return errorResponse(status: 401, message: "unauthorized")
    }

    func plan(_ request: HTTPRequest, body: JSONValue) -> Result<MockPlan, MockRefusal> {
        guard let model = body["model"]?.stringValue, !model.isEmpty else { return invalid("model is required") }
        guard let messages = body["messages"]?.arrayValue else { return invalid("messages is required") }
        if let options = body["options"], options.objectValue == nil { return invalid("options must be an object") }
        for name in ["temperature", "top_p", "max_tokens", "stop", "seed"] where body[name] != nil {
            return invalid("json: unknown field \"\(name)\" (sampling options go under \"options\")")
        }
        var words = 0
        var calledTools: Set<String> = []
        var lastIsToolResult = false
        for (index, message) in messages.enumerated() {
            guard let role = message["role"]?.stringValue, ["system", "user", "assistant", "tool"].contains(role) else {
                return invalid("messages[\(index)]: invalid role")
            }
            guard let content = message["content"]?.stringValue else {
                return invalid("json: cannot unmarshal into Go struct field Message.messages.content of type string")
            }
            for image in message["images"]?.arrayValue ?? [] where image.stringValue == nil { return invalid("images must be base64 strings") }
            for call in message["tool_calls"]?.arrayValue ?? [] {
                guard let name = call["function"]?["name"]?.stringValue, call["function"]?["arguments"]?.objectValue != nil else {
                    return invalid("json: cannot unmarshal string into Go struct field ToolCallFunction.arguments")
                }
                calledTools.insert(name)
            }
            if role == "tool", let name = message["tool_name"]?.stringValue, !calledTools.contains(name) {
                return invalid("messages[\(index)]: tool_name does not match an earlier tool call")
            }
            if role == "system" || role == "user" { words += wordCount(content) }
            lastIsToolResult = role == "tool"
        }
        let tools = body["tools"]?.arrayValue ?? []
        return .success(MockPlan(model: model, stream: body["stream"]?.boolValue ?? true, promptWords: max(1, words),
                                 toolToCall: lastIsToolResult ? nil : tools.first?["function"]?["name"]?.stringValue))
    }

    private func line(_ completion: MockCompletion, content: String, calls: Bool, done: Bool) -> JSONValue {
        var message: [(String, JSONValue)] = [("role", .string("assistant")), ("content", .string(content))]
        if calls, let tool = completion.toolCall {
            message.append(("tool_calls", .array([.object([("function", .object([
                ("name", .string(tool)), ("arguments", .object([("query", .string("mock"))])),
            ]))])])))
        }
        var fields: [(String, JSONValue)] = [("model", .string(completion.model)), ("created_at", .string("2026-01-01T00:00:00Z")),
                                             ("message", .object(message)), ("done", .bool(done))]
        if done {
            fields += [("done_reason", .string("stop")), ("total_duration", .int(1000)), ("prompt_eval_count", .int(completion.promptTokens)),
                       ("eval_count", .int(completion.outputTokens))]
        }
        return .object(fields)
    }

    func response(_ completion: MockCompletion) -> JSONValue {
        line(completion, content: completion.toolCall == nil ? completion.text : "", calls: true, done: true)
    }

    func streamEvents(_ completion: MockCompletion) -> [[UInt8]] {
        func encoded(_ value: JSONValue) -> [UInt8] { JSONWriter.encode(value) + [10] }
        if completion.toolCall != nil {
            return [encoded(line(completion, content: "", calls: true, done: false)), encoded(line(completion, content: "", calls: false, done: true))]
        }
        return (0..<completion.chunkCount).map { encoded(line(completion, content: completion.word($0), calls: false, done: false)) }
            + [encoded(line(completion, content: "", calls: false, done: true))]
    }

    func errorResponse(status: Int, message: String) -> HTTPResponse {
        .json(status, .object([("error", .string(message))]))
    }
}
