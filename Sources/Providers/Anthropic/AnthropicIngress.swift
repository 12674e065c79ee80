import Core

/// The Anthropic Messages API as a client-facing dialect (`POST /v1/messages`): requests decoded into the
/// canonical form, completions and errors encoded back into Anthropic's shapes.
public enum AnthropicIngress {
    /// The canonical request for an Anthropic Messages request body; throws a 400 naming the field.
    public static func request(from json: JSONValue) throws(GatewayError) -> ChatCompletionRequest {
        guard case .object = json else { throw .invalidRequest("The request body must be a JSON object.") }
        guard let model = json["model"]?.stringValue, !model.isEmpty else { throw .invalidRequest("model: Field required", param: "model") }
        guard let maxTokens = json["max_tokens"]?.intValue, maxTokens >= 1 else {
            throw .invalidRequest("max_tokens: Field required (a positive integer)", param: "max_tokens")
        }
        guard let list = json["messages"]?.arrayValue, !list.isEmpty else {
            throw .invalidRequest("messages: at least one message is required", param: "messages")
        }
        var messages: [ChatMessage] = []
        if let system = json["system"], system != .null {
            guard let text = system.stringValue ?? textOfBlocks(system) else {
                throw .invalidRequest("system: Input should be a valid string or a list of text blocks", param: "system")
            }
            messages.append(ChatMessage(role: .system, content: [.text(text)]))
        }
        for (index, message) in list.enumerated() {
            messages += try decode(message, at: "messages.\(index)")
        }
        var request = ChatCompletionRequest(model: model, messages: messages)
        request.maxTokens = maxTokens
        request.tools = try decodeEach(json["tools"]?.arrayValue ?? [], param: "tools") { tool, at throws(GatewayError) in
            guard let name = tool["name"]?.stringValue, tool["type"] == nil || tool["type"] == .string("custom") else {
                throw .invalidRequest("\(at): only custom tools (name, description, input_schema) are supported", param: at)
            }
            return ToolDefinition(name: name, description: tool["description"]?.stringValue, parameters: tool["input_schema"])
        }
        if let choice = json["tool_choice"] {
            switch choice["type"]?.stringValue {
            case "auto"?: request.toolChoice = .auto
            case "any"?: request.toolChoice = .required
            case "none"?: request.toolChoice = ToolChoice.none
            case "tool"?:
                guard let name = choice["name"]?.stringValue else { throw .invalidRequest("tool_choice.name: Field required", param: "tool_choice") }
                request.toolChoice = .function(name)
            default:
                throw .invalidRequest("tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'", param: "tool_choice")
            }
            if choice["disable_parallel_tool_use"]?.boolValue == true { request.parallelToolCalls = false }
        }
        request.temperature = json["temperature"]?.doubleValue
        request.topP = json["top_p"]?.doubleValue
        request.stop = (json["stop_sequences"]?.arrayValue ?? []).compactMap(\.stringValue)
        request.user = json["metadata"]?["user_id"]?.stringValue
        if let stream = json["stream"], stream != .null {
            guard let flag = stream.boolValue else { throw .invalidRequest("stream: Input should be a valid boolean", param: "stream") }
            request.stream = flag
        }
        request.includeUsage = request.stream
        return request
    }

    static func textOfBlocks(_ value: JSONValue) -> String? {
        guard let blocks = value.arrayValue else { return nil }
        return blocks.compactMap { $0["type"]?.stringValue == "text" ? $0["text"]?.stringValue : nil }.joined(separator: "\n\n")
    }

    /// One Anthropic message as canonical messages: a user turn's tool results become `tool` messages
    /// (first, as OpenAI requires them right after the calls), its other blocks one user message.
    static func decode(_ message: JSONValue, at path: String) throws(GatewayError) -> [ChatMessage] {
        let role = message["role"]?.stringValue
        guard role == "user" || role == "assistant" else { throw .invalidRequest("\(path).role: Input should be 'user' or 'assistant'", param: path) }
        let blocks: [JSONValue]
        if let text = message["content"]?.stringValue {
            blocks = [.object([("type", .string("text")), ("text", .string(text))])]
        } else if let list = message["content"]?.arrayValue {
            blocks = list
        } else {
            throw .invalidRequest("\(path).content: Input should be a valid string or list", param: path)
        }
        var content: [ContentPart] = []
        var calls: [ToolCall] = []
        var results: [ChatMessage] = []
        for (index, block) in blocks.enumerated() {
            let at = "\(path).content.\(index)"
            switch block["type"]?.stringValue {
            case "text"?:
                content.append(.text(block["text"]?.stringValue ?? ""))
            case "image"?:
                content.append(.image(try image(block["source"], at: at)))
            case "tool_use"? where role == "assistant":
                guard let id = block["id"]?.stringValue, let name = block["name"]?.stringValue else {
                    throw .invalidRequest("\(at): tool_use needs id and name", param: at)
                }
                calls.append(ToolCall(id: id, name: name, arguments: JSONWriter.string(block["input"] ?? .object([]))))
            case "tool_result"? where role == "user":
                guard let id = block["tool_use_id"]?.stringValue else { throw .invalidRequest("\(at).tool_use_id: Field required", param: at) }
                let text = block["content"]?.stringValue ?? textOfBlocks(block["content"] ?? .array([])) ?? ""
                results.append(ChatMessage(role: .tool, content: [.text(block["is_error"]?.boolValue == true ? "Error: " + text : text)],
                                           toolCallID: id))
            case "thinking"?, "redacted_thinking"?:
                continue  // prior reasoning has no Chat Completions counterpart
            default:
                throw .invalidRequest("\(at).type: unsupported content block for role '\(role!)'", param: at)
            }
        }
        if role == "assistant" {
            return content.isEmpty && calls.isEmpty ? [] : [ChatMessage(role: .assistant, content: content, toolCalls: calls)]
        }
        return results + (content.isEmpty ? [] : [ChatMessage(role: .user, content: content)])
    }

    static func image(_ source: JSONValue?, at path: String) throws(GatewayError) -> ImageSource {
        switch source?["type"]?.stringValue {
        case "base64"?:
            guard let type = source?["media_type"]?.stringValue, let data = source?["data"]?.stringValue else {
                throw .invalidRequest("\(path).source: media_type and data are required", param: path)
            }
            return .base64(mediaType: type, data: data)
        case "url"?:
            guard let url = source?["url"]?.stringValue else { throw .invalidRequest("\(path).source.url: Field required", param: path) }
            return .url(url)
        default:
            throw .invalidRequest("\(path).source.type: Input should be 'base64' or 'url'", param: path)
        }
    }

    /// A completion as an Anthropic `message` (the first choice; Anthropic has one).
    public static func message(from completion: ChatCompletion, model: String) -> JSONValue {
        let choice = completion.choices.first
        var content: [JSONValue] = []
        if let text = choice?.text, !text.isEmpty { content.append(.object([("type", .string("text")), ("text", .string(text))])) }
        for call in choice?.toolCalls ?? [] {
            content.append(.object([("type", .string("tool_use")), ("id", .string(call.id)), ("name", .string(call.name)),
                                    ("input", toolInput(call.arguments))]))
        }
        return .object([("id", .string(completion.id)), ("type", .string("message")), ("role", .string("assistant")),
                        ("model", .string(model)), ("content", .array(content)),
                        ("stop_reason", .optional(stopReason(choice?.finishReason))), ("stop_sequence", .null),
                        ("usage", usage(completion.usage ?? TokenUsage(inputTokens: 0, outputTokens: 0)))])
    }

    static func toolInput(_ arguments: String) -> JSONValue {
        (try? JSONParser.parse(Array(arguments.utf8))).flatMap { $0.objectValue != nil ? $0 : nil } ?? .object([])
    }

    static func stopReason(_ reason: FinishReason?) -> String? {
        switch reason {
        case nil: return nil
        case .stop?: return "end_turn"
        case .length?: return "max_tokens"
        case .toolCalls?: return "tool_use"
        case .contentFilter?: return "refusal"
        }
    }

    /// Anthropic's usage: input excludes cache reads, which are counted apart.
    static func usage(_ usage: TokenUsage) -> JSONValue {
        .object([("input_tokens", .int(usage.inputTokens - usage.cachedInputTokens)), ("output_tokens", .int(usage.outputTokens)),
                 ("cache_read_input_tokens", .int(usage.cachedInputTokens)), ("cache_creation_input_tokens", .int(0))])
    }

    /// An error in Anthropic's shape: `{"type": "error", "error": {"type", "message"}}`.
    public static func errorJSON(_ error: GatewayError) -> JSONValue {
        let type: String
        switch error.status {
        case 400, 422: type = "invalid_request_error"
        case 401: type = "authentication_error"
        case 403: type = "permission_error"
        case 404: type = "not_found_error"
        case 413: type = "request_too_large"
        case 429: type = "rate_limit_error"
        case 503, 529: type = "overloaded_error"
        default: type = "api_error"
        }
        return .object([("type", .string("error")), ("error", .object([("type", .string(type)), ("message", .string(error.message))]))])
    }
}
