import Core
import HTTPKit

/// Cohere v2 chat (`POST /v2/chat`): OpenAI-like messages and tools, `p` for top_p, `stop_sequences`,
/// `REQUIRED`/`NONE` tool choice, `json_object` with an optional schema, the typed event stream.
public struct CohereTranslator: ChatTranslator {
    public init() {}

    public func wireRequest(_ request: ChatCompletionRequest, provider: ProviderConfig, upstreamModel: String) throws(GatewayError) -> WireRequest {
        if let n = request.n, n > 1 {
            throw .invalidRequest("Provider kind 'cohere' returns one choice per request; 'n' must be 1.", param: "n")
        }
        var body: [(String, JSONValue)] = [("model", .string(upstreamModel)), ("messages", .array(request.messages.map(Self.message)))]
        var tools = request.tools
        if case .function(let name)? = request.toolChoice {
            // Cohere cannot name one tool: offer only that one, and require a call.
            tools = tools.filter { $0.name == name }
        }
        if !tools.isEmpty {
            body.append(("tools", .array(tools.map(\.openAIJSON))))
            switch request.toolChoice {
            case .required?, .function?: body.append(("tool_choice", .string("REQUIRED")))
            case .none?: body.append(("tool_choice", .string("NONE")))
            case .auto?, nil: break
            }
            if tools.contains(where: { $0.strict == true }) { body.append(("strict_tools", .bool(true))) }
        }
        switch request.responseFormat {
        case .jsonObject?: body.append(("response_format", .object([("type", .string("json_object"))])))
        case .jsonSchema(_, let schema, _)?:
            body.append(("response_format", .object([("type", .string("json_object")), ("json_schema", schema)])))
        case .text?, nil: break
        }
        if let temperature = request.temperature { body.append(("temperature", .number(JSONNumberText.of(temperature)))) }
        if let topP = request.topP { body.append(("p", .number(JSONNumberText.of(topP)))) }
        if let maxTokens = request.maxTokens { body.append(("max_tokens", .int(maxTokens))) }
        if !request.stop.isEmpty { body.append(("stop_sequences", .array(request.stop.map { .string($0) }))) }
        if let seed = request.seed { body.append(("seed", .int(seed))) }
        body.append(("stream", .bool(request.stream)))
        var headers = HTTPHeaders("content-type", "application/json")
        headers.add("accept", request.stream ? "text/event-stream" : "application/json")
        if let key = provider.apiKey { headers.add("authorization", "Bearer " + key) }
        return WireRequest(url: provider.trimmedBaseURL + "/chat", headers: headers, body: JSONWriter.encode(.object(body)))
    }

    /// Cohere's messages are OpenAI's except that there is no `developer` role and no `name`.
    static func message(_ message: ChatMessage) -> JSONValue {
        var copy = message
        if copy.role == .developer { copy.role = .system }
        copy.name = nil
        if copy.role != .user { copy.content = copy.content.isEmpty ? [] : [.text(copy.text)] }
        guard case .object(let fields) = copy.openAIJSON else { return copy.openAIJSON }
        // An assistant turn that only calls tools has no content field at all (Cohere refuses null).
        return .object(fields.filter { $0.0 != "content" || $0.1 != .null })
    }

    public func completion(from body: [UInt8], model: String, fallbackID: String, providerName: String) throws(GatewayError) -> ChatCompletion {
        guard let response = try? JSONParser.parse(body), let message = response["message"] else {
            throw StreamFailure.malformed("the response is not a Cohere chat response", provider: providerName)
        }
        let reason = response["finish_reason"]?.stringValue
        if reason == "ERROR" { throw Self.generationError(providerName) }
        let text = Self.text(message["content"])
        let calls = (message["tool_calls"]?.arrayValue ?? []).enumerated().map { offset, call in
            ToolCall(id: call["id"]?.stringValue ?? "call_\(offset + 1)", name: call["function"]?["name"]?.stringValue ?? "",
                     arguments: call["function"]?["arguments"]?.stringValue ?? "{}")
        }
        return ChatCompletion(id: response["id"]?.stringValue ?? fallbackID, model: model, created: Int(Timestamp.nowMillis() / 1000),
                              choices: [ChatChoice(text: text.isEmpty && !calls.isEmpty ? nil : text, toolCalls: calls,
                                                   finishReason: Self.finishReason(reason))],
                              usage: response["usage"].flatMap(Self.usage))
    }

    /// The text blocks of a message's content (thinking blocks are left out, as OpenAI leaves out reasoning).
    static func text(_ content: JSONValue?) -> String {
        if let text = content?.stringValue { return text }
        return (content?.arrayValue ?? []).compactMap { $0["type"]?.stringValue == "text" ? $0["text"]?.stringValue : nil }.joined()
    }

    static func finishReason(_ reason: String?) -> FinishReason? {
        switch reason {
        case nil: return nil
        case "MAX_TOKENS"?: return .length
        case "TOOL_CALL"?: return .toolCalls
        case "ERROR_TOXIC"?: return .contentFilter
        default: return .stop
        }
    }

    static func generationError(_ providerName: String) -> GatewayError {
        GatewayError(status: 502, type: "api_error", code: "upstream_error", message: "Provider '\(providerName)' reported a generation error.")
    }

    /// `usage.tokens` counts what the model saw and produced (`billed_units` only what was billed); `cached_tokens` is the cached prompt share.
    static func usage(_ usage: JSONValue) -> TokenUsage? {
        guard let counts = usage["tokens"] ?? usage["billed_units"] else { return nil }
        return TokenUsage(inputTokens: counts["input_tokens"]?.intValue ?? 0, outputTokens: counts["output_tokens"]?.intValue ?? 0,
                          cachedInputTokens: usage["cached_tokens"]?.intValue ?? 0)
    }

    public func streamDecoder(model: String, fallbackID: String, providerName: String) -> any ChatStreamDecoder {
        CohereStreamDecoder(model: model, fallbackID: fallbackID, providerName: providerName)
    }

    /// Cohere's errors are `{"message": "..."}`; 498 is its invalid-token status.
    public func errorDetail(in body: [UInt8]) -> (message: String?, code: String?) {
        ((try? JSONParser.parse(body))?["message"]?.stringValue, nil)
    }

    public func error(status: Int, body: [UInt8], providerName: String) -> GatewayError {
        let detail = errorDetail(in: body)
        return UpstreamErrorMapping.gatewayError(status: status == 498 ? 401 : status, message: detail.message, code: detail.code,
                                                 providerName: providerName)
    }
}
