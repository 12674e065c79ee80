import Core
import HTTPKit

/// Cohere v2 chat (`POST /v2/chat`): bearer key, known top-level fields only, `stream` a boolean,
/// system/user/assistant/tool roles, tool results must answer an earlier tool call, no null content;
/// typed stream events ending with `message-end`.
struct MockCohereWire: MockWire {
    static let knownFields: Set<String> = ["model", "messages", "tools", "documents", "citation_options", "response_format", "safety_mode",
                                           "max_tokens", "stop_sequences", "temperature", "seed", "frequency_penalty", "presence_penalty",
                                           "k", "p", "logprobs", "tool_choice", "strict_tools", "stream", "thinking", "priority"]

    func authenticate(_ request: HTTPRequest, requiredKey: String) -> HTTPResponse? {
        guard request.headers["authorization"] != "Bearer " + requiredKey else { return nil }
        return errorResponse(status: 401, message: "invalid api token")
    }

    func plan(_ request: HTTPRequest, body: JSONValue) -> Result<MockPlan, MockRefusal> {
        for (name, _) in body.objectValue ?? [] where !Self.knownFields.contains(name) { return invalid("invalid request: unknown field \(name)") }
        guard let model = body["model"]?.stringValue else { return invalid("invalid request: model must be specified") }
        if let stream = body["stream"], stream.boolValue == nil { return invalid("invalid request: stream must be a boolean") }
        guard let messages = body["messages"]?.arrayValue, !messages.isEmpty else { return invalid("invalid request: messages must not be empty") }
        var words = 0
        var callIDs: Set<String> = []
        var lastIsToolResult = false
        for (index, message) in messages.enumerated() {
            let role = message["role"]?.stringValue ?? ""
            if message["content"] == .null { return invalid("invalid request: messages[\(index)].content must not be null") }
            switch role {
            case "system", "user":
                words += wordCount(Self.text(message["content"]))
            case "assistant":
                for call in message["tool_calls"]?.arrayValue ?? [] {
                    guard let id = call["id"]?.stringValue, call["type"]?.stringValue == "function", call["function"]?["name"]?.stringValue != nil,
                          call["function"]?["arguments"]?.stringValue != nil else {
                        return invalid("invalid request: messages[\(index)].tool_calls: each call needs id, type function, name and arguments")
                    }
                    callIDs.insert(id)
                }
            case "tool":
                guard let id = message["tool_call_id"]?.stringValue, callIDs.contains(id) else {
                    return invalid("invalid request: messages[\(index)]: tool_call_id must match a previous tool call")
                }
            default:
                return invalid("invalid request: messages[\(index)].role must be one of system, user, assistant, tool")
            }
            lastIsToolResult = role == "tool"
        }
        if let choice = body["tool_choice"], choice != .string("REQUIRED") && choice != .string("NONE") {
            return invalid("invalid request: tool_choice must be REQUIRED or NONE")
        }
        let tools = body["tools"]?.arrayValue ?? []
        for tool in tools where tool["type"]?.stringValue != "function" || tool["function"]?["name"]?.stringValue == nil {
            return invalid("invalid request: tools must be functions with a name")
        }
        return .success(MockPlan(model: model, stream: body["stream"]?.boolValue ?? false, promptWords: max(1, words),
                                 toolToCall: lastIsToolResult ? nil : tools.first?["function"]?["name"]?.stringValue))
    }

    static func text(_ content: JSONValue?) -> String {
        content?.stringValue ?? (content?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }.joined(separator: " ")
    }

    private func usage(_ completion: MockCompletion) -> JSONValue {
        let counts: JSONValue = .object([("input_tokens", .int(completion.promptTokens)), ("output_tokens", .int(completion.outputTokens))])
        return .object([("billed_units", counts), ("tokens", counts)])
    }

    private func toolCall(_ tool: String, arguments: String) -> JSONValue {
        .object([("id", .string(MockCompletion.toolCallID)), ("type", .string("function")),
                 ("function", .object([("name", .string(tool)), ("arguments", .string(arguments))]))])
    }

    func response(_ completion: MockCompletion) -> JSONValue {
        var message: [(String, JSONValue)] = [("role", .string("assistant"))]
        if let tool = completion.toolCall {
            message.append(("tool_plan", .string("I will call \(tool).")))
            message.append(("tool_calls", .array([toolCall(tool, arguments: MockCompletion.toolArguments)])))
        } else {
            message.append(("content", .array([.object([("type", .string("text")), ("text", .string(completion.text))])])))
        }
        return .object([("id", .string(completion.id)), ("finish_reason", .string(completion.toolCall == nil ? "COMPLETE" : "TOOL_CALL")),
                        ("message", .object(message)), ("usage", usage(completion))])
    }

    func streamEvents(_ completion: MockCompletion) -> [[UInt8]] {
        func event(_ type: String, _ fields: [(String, JSONValue)]) -> [UInt8] {
            SSEEvent(event: type, data: JSONWriter.string(.object([("type", .string(type))] + fields))).encoded
        }
        func delta(_ message: JSONValue) -> (String, JSONValue) { ("delta", .object([("message", message)])) }
        var events = [event("message-start", [("id", .string(completion.id)),
                                              delta(.object([("role", .string("assistant")), ("content", .array([])), ("tool_calls", .array([]))]))])]
        if let tool = completion.toolCall {
            events.append(event("tool-plan-delta", [delta(.object([("tool_plan", .string("I will call \(tool)."))]))]))
            events.append(event("tool-call-start", [("index", .int(0)), delta(.object([("tool_calls", toolCall(tool, arguments: ""))]))]))
            for piece in MockCompletion.toolArgumentPieces {
                events.append(event("tool-call-delta", [("index", .int(0)),
                                                        delta(.object([("tool_calls", .object([("function", .object([("arguments", .string(piece))]))]))]))]))
            }
            events.append(event("tool-call-end", [("index", .int(0))]))
        } else {
            events.append(event("content-start", [("index", .int(0)),
                                                  delta(.object([("content", .object([("type", .string("text")), ("text", .string(""))]))]))]))
            for index in 0..<completion.chunkCount {
                events.append(event("content-delta", [("index", .int(0)), delta(.object([("content", .object([("text", .string(completion.word(index)))]))]))]))
            }
            events.append(event("content-end", [("index", .int(0))]))
        }
        events.append(event("message-end", [("delta", .object([("finish_reason", .string(completion.toolCall == nil ? "COMPLETE" : "TOOL_CALL")),
                                                                ("usage", usage(completion))]))]))
        return events
    }

    func errorResponse(status: Int, message: String) -> HTTPResponse {
        .json(status, .object([("message", .string(message))]))
    }
}
