import Core
import HTTPKit

/// Anthropic Messages API (`POST /v1/messages`): system prompt hoisted out of the messages, content
/// blocks, tool use and tool results as blocks, `max_tokens` required, `anthropic-version` header.
public struct AnthropicTranslator: ChatTranslator {
    static let defaultVersion = "2023-06-01"
    /// Sent when the client gives no limit: the API requires one.
    static let defaultMaxTokens = 4096

    public init() {}

    public func wireRequest(_ request: ChatCompletionRequest, provider: ProviderConfig, upstreamModel: String) throws(GatewayError) -> WireRequest {
        if let n = request.n, n > 1 {
            throw .invalidRequest("Provider kind 'anthropic' returns one choice per request; 'n' must be 1.", param: "n")
        }
        var body: [(String, JSONValue)] = [("model", .string(upstreamModel)),
                                           ("max_tokens", .int(request.maxTokens ?? Self.defaultMaxTokens))]
        var system = request.messages.filter { $0.role == .system || $0.role == .developer }.map(\.text)
        if let instruction = JSONInstruction.text(for: request.responseFormat) { system.append(instruction) }
        if !system.isEmpty { body.append(("system", .string(system.joined(separator: "\n\n")))) }
        body.append(("messages", .array(try Self.messages(request.messages))))
        if let temperature = request.temperature { body.append(("temperature", .number(JSONNumberText.of(min(temperature, 1))))) }
        if let topP = request.topP { body.append(("top_p", .number(JSONNumberText.of(topP)))) }
        if !request.stop.isEmpty { body.append(("stop_sequences", .array(request.stop.map { .string($0) }))) }
        if request.stream { body.append(("stream", .bool(true))) }
        if let user = request.user { body.append(("metadata", .object([("user_id", .string(user))]))) }
        if !request.tools.isEmpty {
            body.append(("tools", .array(request.tools.map { tool in
                var fields: [(String, JSONValue)] = [("name", .string(tool.name))]
                if let description = tool.description { fields.append(("description", .string(description))) }
                fields.append(("input_schema", tool.parameters ?? .object([("type", .string("object"))])))
                return .object(fields)
            })))
            if let choice = Self.toolChoice(request.toolChoice, parallel: request.parallelToolCalls) { body.append(("tool_choice", choice)) }
        }
        var headers = HTTPHeaders("content-type", "application/json")
        headers.add("accept", request.stream ? "text/event-stream" : "application/json")
        headers.add("anthropic-version", provider.apiVersion ?? Self.defaultVersion)
        if let key = provider.apiKey { headers.add("x-api-key", key) }
        return WireRequest(url: provider.trimmedBaseURL + "/messages", headers: headers, body: JSONWriter.encode(.object(body)))
    }

    /// Anthropic's messages: user and assistant only, tool results as user blocks, consecutive roles merged.
    static func messages(_ messages: [ChatMessage]) throws(GatewayError) -> [JSONValue] {
        try ConversationRendering(
            assistantRole: "assistant", itemsKey: "content", content: contentBlock,
            toolCall: { call throws(GatewayError) in
                .object([("type", .string("tool_use")), ("id", .string(call.id)), ("name", .string(call.name)),
                         ("input", try ToolArguments.object(call.arguments, tool: call.name))])
            },
            toolResult: { message, _ in
                .object([("type", .string("tool_result")), ("tool_use_id", .string(message.toolCallID ?? "")),
                         ("content", .string(message.text))])
            }
        ).turns(messages)
    }

    static func contentBlock(_ part: ContentPart) -> JSONValue {
        switch part {
        case .text(let text):
            return .object([("type", .string("text")), ("text", .string(text))])
        case .image(.url(let url)):
            return .object([("type", .string("image")), ("source", .object([("type", .string("url")), ("url", .string(url))]))])
        case .image(.base64(let mediaType, let data)):
            return .object([("type", .string("image")), ("source", .object([("type", .string("base64")), ("media_type", .string(mediaType)),
                                                                            ("data", .string(data))]))])
        }
    }

    static func toolChoice(_ choice: ToolChoice?, parallel: Bool?) -> JSONValue? {
        var fields: [(String, JSONValue)]
        switch choice {
        case nil: fields = [("type", .string("auto"))]
        case .auto?: fields = [("type", .string("auto"))]
        case .none?: fields = [("type", .string("none"))]
        case .required?: fields = [("type", .string("any"))]
        case .function(let name)?: fields = [("type", .string("tool")), ("name", .string(name))]
        }
        if parallel == false && choice != ToolChoice.none { fields.append(("disable_parallel_tool_use", .bool(true))) }
        return choice == nil && parallel != false ? nil : .object(fields)
    }

    public func completion(from body: [UInt8], model: String, fallbackID: String, providerName: String) throws(GatewayError) -> ChatCompletion {
        guard let message = try? JSONParser.parse(body), let blocks = message["content"]?.arrayValue else {
            throw StreamFailure.malformed("the response is not an Anthropic message", provider: providerName)
        }
        var text = ""
        var calls: [ToolCall] = []
        for block in blocks {
            switch block["type"]?.stringValue {
            case "text": text += block["text"]?.stringValue ?? ""
            case "tool_use":
                calls.append(ToolCall(id: block["id"]?.stringValue ?? "", name: block["name"]?.stringValue ?? "",
                                      arguments: JSONWriter.string(block["input"] ?? .object([]))))
            default: continue
            }
        }
        let choice = ChatChoice(text: text.isEmpty && !calls.isEmpty ? nil : text, toolCalls: calls,
                                finishReason: Self.finishReason(message["stop_reason"]?.stringValue))
        return ChatCompletion(id: message["id"]?.stringValue ?? fallbackID, model: message["model"]?.stringValue ?? model,
                              created: Int(Timestamp.nowMillis() / 1000), choices: [choice], usage: message["usage"].flatMap(Self.usage))
    }

    static func finishReason(_ reason: String?) -> FinishReason? {
        switch reason {
        case nil: return nil
        case "max_tokens"?: return .length
        case "tool_use"?: return .toolCalls
        case "refusal"?: return .contentFilter
        default: return .stop
        }
    }

    /// Anthropic counts cache reads and writes apart from `input_tokens`; OpenAI's prompt count includes them.
    static func usage(_ usage: JSONValue) -> TokenUsage? {
        guard case .object = usage else { return nil }
        let cacheRead = usage["cache_read_input_tokens"]?.intValue ?? 0
        let cacheWrite = usage["cache_creation_input_tokens"]?.intValue ?? 0
        return TokenUsage(inputTokens: (usage["input_tokens"]?.intValue ?? 0) + cacheRead + cacheWrite,
                          outputTokens: usage["output_tokens"]?.intValue ?? 0, cachedInputTokens: cacheRead)
    }

    public func streamDecoder(model: String, fallbackID: String, providerName: String) -> any ChatStreamDecoder {
        AnthropicStreamDecoder(model: model, fallbackID: fallbackID, providerName: providerName)
    }

    public func errorDetail(in body: [UInt8]) -> (message: String?, code: String?) {
        let document = try? JSONParser.parse(body)
        return (document?["error"]?["message"]?.stringValue, document?["error"]?["type"]?.stringValue)
    }
}
