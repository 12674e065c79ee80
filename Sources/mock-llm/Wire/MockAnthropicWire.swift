import Core
import HTTPKit

/// Anthropic Messages (`POST /v1/messages`): `x-api-key` and `anthropic-version` required, `max_tokens`
/// required, only user/assistant roles, tool results must answer an earlier tool_use; event-typed stream.
struct MockAnthropicWire: MockWire {
    static let toolUseID = "toolu_mock1"

    func authenticate(_ request: HTTPRequest, requiredKey: String) -> HTTPResponse? {
        guard request.headers["x-api-key"] != requiredKey else { return nil }
        return .json(401, Self.error("invalid x-api-key", type: "authentication_error"))
    }

    func plan(_ request: HTTPRequest, body: JSONValue) -> Result<MockPlan, MockRefusal> {
        guard request.headers["anthropic-version"] != nil else { return invalid("anthropic-version: header is required") }
        guard let model = body["model"]?.stringValue else { return invalid("model: Field required") }
        guard let maxTokens = body["max_tokens"]?.intValue, maxTokens >= 1 else { return invalid("max_tokens: Field required") }
        guard let messages = body["messages"]?.arrayValue, !messages.isEmpty else { return invalid("messages: at least one message is required") }
        if let system = body["system"], system.stringValue == nil && system.arrayValue == nil { return invalid("system: Input should be a valid string") }
        var words = wordCount(body["system"]?.stringValue ?? "")
        var toolUses: Set<String> = []
        var lastHasResult = false
        for (index, message) in messages.enumerated() {
            guard let role = message["role"]?.stringValue, role == "user" || role == "assistant" else {
                return invalid("messages.\(index).role: Input should be 'user' or 'assistant'")
            }
            let blocks: [JSONValue]
            if let text = message["content"]?.stringValue {
                blocks = [.object([("type", .string("text")), ("text", .string(text))])]
            } else if let list = message["content"]?.arrayValue {
                blocks = list
            } else {
                return invalid("messages.\(index).content: Input should be a valid list")
            }
            lastHasResult = false
            for block in blocks {
                switch block["type"]?.stringValue {
                case "text":
                    guard let text = block["text"]?.stringValue else { return invalid("messages.\(index).content: text block needs text") }
                    words += wordCount(text)
                case "image":
                    guard role == "user", let source = block["source"], ["base64", "url"].contains(source["type"]?.stringValue ?? "") else {
                        return invalid("messages.\(index).content: invalid image block")
                    }
                case "tool_use":
                    guard role == "assistant", let id = block["id"]?.stringValue, block["name"]?.stringValue != nil,
                          block["input"]?.objectValue != nil else { return invalid("messages.\(index).content: invalid tool_use block") }
                    toolUses.insert(id)
                case "tool_result":
                    guard role == "user", let id = block["tool_use_id"]?.stringValue, toolUses.contains(id) else {
                        return invalid("messages.\(index).content: tool_result block(s) provided when previous message does not contain tool_use")
                    }
                    lastHasResult = true
                default:
                    return invalid("messages.\(index).content: unknown block type")
                }
            }
        }
        let tools = body["tools"]?.arrayValue ?? []
        for tool in tools where tool["name"]?.stringValue == nil || tool["input_schema"]?.objectValue == nil {
            return invalid("tools: each tool needs name and input_schema")
        }
        return .success(MockPlan(model: model, stream: body["stream"]?.boolValue ?? false, promptWords: max(1, words),
                                 toolToCall: lastHasResult ? nil : tools.first?["name"]?.stringValue))
    }

    private func usage(_ completion: MockCompletion, output: Int) -> JSONValue {
        .object([("input_tokens", .int(completion.promptTokens)), ("cache_creation_input_tokens", .int(0)),
                 ("cache_read_input_tokens", .int(0)), ("output_tokens", .int(output))])
    }

    private var idPrefix: String { "msg_" }

    func response(_ completion: MockCompletion) -> JSONValue {
        let content: JSONValue
        if let tool = completion.toolCall {
            content = .array([.object([("type", .string("tool_use")), ("id", .string(Self.toolUseID)), ("name", .string(tool)),
                                       ("input", .object([("query", .string("mock"))]))])])
        } else {
            content = .array([.object([("type", .string("text")), ("text", .string(completion.text))])])
        }
        return message(completion, content: content, stopReason: completion.toolCall == nil ? "end_turn" : "tool_use",
                       usage: usage(completion, output: completion.outputTokens))
    }

    private func message(_ completion: MockCompletion, content: JSONValue, stopReason: String?, usage: JSONValue) -> JSONValue {
        .object([("id", .string(idPrefix + completion.id)), ("type", .string("message")), ("role", .string("assistant")),
                 ("model", .string(completion.model)), ("content", content), ("stop_reason", .optional(stopReason)),
                 ("stop_sequence", .null), ("usage", usage)])
    }

    func streamEvents(_ completion: MockCompletion) -> [[UInt8]] {
        func event(_ type: String, _ fields: [(String, JSONValue)]) -> [UInt8] {
            SSEEvent(event: type, data: JSONWriter.string(.object([("type", .string(type))] + fields))).encoded
        }
        var events = [event("message_start", [("message", message(completion, content: .array([]), stopReason: nil,
                                                                   usage: usage(completion, output: 1)))])]
        if let tool = completion.toolCall {
            events.append(event("content_block_start", [("index", .int(0)), ("content_block", .object([
                ("type", .string("tool_use")), ("id", .string(Self.toolUseID)), ("name", .string(tool)), ("input", .object([])),
            ]))]))
            for piece in MockCompletion.toolArgumentPieces {
                events.append(event("content_block_delta", [("index", .int(0)), ("delta", .object([("type", .string("input_json_delta")),
                                                                                                    ("partial_json", .string(piece))]))]))
            }
        } else {
            events.append(event("content_block_start", [("index", .int(0)), ("content_block", .object([("type", .string("text")),
                                                                                                      ("text", .string(""))]))]))
            events.append(event("ping", []))
            for index in 0..<completion.chunkCount {
                events.append(event("content_block_delta", [("index", .int(0)), ("delta", .object([("type", .string("text_delta")),
                                                                                                    ("text", .string(completion.word(index)))]))]))
            }
        }
        events.append(event("content_block_stop", [("index", .int(0))]))
        events.append(event("message_delta", [("delta", .object([("stop_reason", .string(completion.toolCall == nil ? "end_turn" : "tool_use")),
                                                                 ("stop_sequence", .null)])),
                                              ("usage", .object([("output_tokens", .int(completion.outputTokens))]))]))
        events.append(event("message_stop", []))
        return events
    }

    func errorResponse(status: Int, message: String) -> HTTPResponse {
        let type: String
        switch status {
        case 400: type = "invalid_request_error"
        case 401: type = "authentication_error"
        case 403: type = "permission_error"
        case 404: type = "not_found_error"
        case 429: type = "rate_limit_error"
        case 529: type = "overloaded_error"
        default: type = "api_error"
        }
        return .json(status, Self.error(message, type: type))
    }

    static func error(_ message: String, type: String) -> JSONValue {
        .object([("type", .string("error")), ("error", .object([("type", .string(type)), ("message", .string(message))]))])
    }
}
