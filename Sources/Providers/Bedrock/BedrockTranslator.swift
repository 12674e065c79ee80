import Core
import HTTPKit

/// AWS Bedrock Converse (`POST /model/{modelId}/converse`) and ConverseStream (`/converse-stream`, binary
/// event-stream framing): system blocks, content blocks with `toolUse`/`toolResult`, `inferenceConfig`,
/// `toolConfig`. Requests are signed with SigV4 (service `bedrock`) from `ACCESS_KEY_ID:SECRET[:TOKEN]`
/// credentials, or carry a Bedrock API key as a bearer token.
public struct BedrockTranslator: ChatTranslator {
    /// The signing clock (epoch milliseconds); fixed in tests.
    let now: @Sendable () -> Int64

    public init(now: @escaping @Sendable () -> Int64 = { Timestamp.nowMillis() }) {
        self.now = now
    }

    public func wireRequest(_ request: ChatCompletionRequest, provider: ProviderConfig, upstreamModel: String) throws(GatewayError) -> WireRequest {
        if let n = request.n, n > 1 {
            throw .invalidRequest("Provider kind 'bedrock' returns one choice per request; 'n' must be 1.", param: "n")
        }
        for message in request.messages {
            for case .image(.url) in message.content {
                throw .invalidRequest("Provider kind 'bedrock' accepts images only as base64 data URLs.", param: "messages")
            }
        }
        var body: [(String, JSONValue)] = [("messages", .array(try Self.messages(request.messages)))]
        var system = request.messages.filter { $0.role == .system || $0.role == .developer }.map(\.text)
        if let instruction = JSONInstruction.text(for: request.responseFormat) { system.append(instruction) }
        if !system.isEmpty { body.append(("system", .array([.object([("text", .string(system.joined(separator: "\n\n")))])]))) }
        var inference: [(String, JSONValue)] = []
        if let maxTokens = request.maxTokens { inference.append(("maxTokens", .int(maxTokens))) }
        if let temperature = request.temperature { inference.append(("temperature", .number(JSONNumberText.of(min(temperature, 1))))) }
        if let topP = request.topP { inference.append(("topP", .number(JSONNumberText.of(topP)))) }
        if !request.stop.isEmpty { inference.append(("stopSequences", .array(request.stop.map { .string($0) }))) }
        if !inference.isEmpty { body.append(("inferenceConfig", .object(inference))) }
        if let config = Self.toolConfig(request) { body.append(("toolConfig", config)) }

        let path = "/model/" + AWSSigV4.uriEncode(upstreamModel) + (request.stream ? "/converse-stream" : "/converse")
        let encoded = JSONWriter.encode(.object(body))
        var headers = HTTPHeaders("content-type", "application/json")
        headers.add("accept", request.stream ? "application/vnd.amazon.eventstream" : "application/json")
        try sign(&headers, provider: provider, path: path, body: encoded)
        return WireRequest(url: provider.trimmedBaseURL + path, headers: headers, body: encoded)
    }

    /// Adds SigV4 headers (or the bearer API key); never puts the secret itself in a header.
    func sign(_ headers: inout HTTPHeaders, provider: ProviderConfig, path: String, body: [UInt8]) throws(GatewayError) {
        guard let key = provider.apiKey else {
            throw GatewayError(status: 502, type: "api_error", code: "provider_misconfigured",
                               message: "Provider '\(provider.name)' has no AWS credentials (api_key_ref).")
        }
        guard let credentials = AWSSigV4.Credentials(reference: key) else {
            headers.add("authorization", "Bearer " + key)
            return
        }
        guard let region = provider.region ?? AWSSigV4.region(inBedrockURL: provider.baseURL) else {
            throw GatewayError(status: 502, type: "api_error", code: "provider_misconfigured",
                               message: "Provider '\(provider.name)' has no AWS region (settings.region).")
        }
        let signer = AWSSigV4(credentials: credentials, region: region, service: "bedrock")
        let basePath = URLParts.path(of: provider.trimmedBaseURL)
        let signed = signer.signatureHeaders(method: "POST", path: basePath + path, query: "",
                                             headers: [("host", URLParts.authority(of: provider.baseURL))] + headers.fields.map { ($0.name, $0.value) },
                                             body: body, amzDate: AWSSigV4.amzDate(now()))
        for (name, value) in signed { headers.add(name, value) }
    }

    /// Bedrock's messages: user and assistant turns of content blocks, tool results as user blocks.
    static func messages(_ messages: [ChatMessage]) throws(GatewayError) -> [JSONValue] {
        try ConversationRendering(
            assistantRole: "assistant", itemsKey: "content", content: contentBlock,
            toolCall: { call throws(GatewayError) in
                .object([("toolUse", .object([("toolUseId", .string(call.id)), ("name", .string(call.name)),
                                              ("input", try ToolArguments.object(call.arguments, tool: call.name))]))])
            },
            toolResult: { message, _ in
                let text = message.text
                let parsed = try? JSONParser.parse(Array(text.utf8))
                let content: JSONValue = parsed?.objectValue != nil ? .object([("json", parsed!)]) : .object([("text", .string(text))])
                return .object([("toolResult", .object([("toolUseId", .string(message.toolCallID ?? "")), ("content", .array([content]))]))])
            }
        ).turns(messages)
    }

    static func contentBlock(_ part: ContentPart) -> JSONValue {
        switch part {
        case .text(let text):
            return .object([("text", .string(text))])
        case .image(.base64(let mediaType, let data)):
            let format = mediaType.hasPrefix("image/") ? String(mediaType.dropFirst(6)) : mediaType
            return .object([("image", .object([("format", .string(format == "jpg" ? "jpeg" : format)),
                                               ("source", .object([("bytes", .string(data))]))]))])
        case .image(.url(let url)):
            return .object([("text", .string(url))])  // refused before rendering; kept total for the renderer
        }
    }

    /// Tools and the choice among them. Bedrock has no "none": the tools are then left out, unless the
    /// conversation already holds tool blocks (which require a tool configuration).
    static func toolConfig(_ request: ChatCompletionRequest) -> JSONValue? {
        guard !request.tools.isEmpty else { return nil }
        let usesTools = request.messages.contains { !$0.toolCalls.isEmpty || $0.role == .tool }
        if request.toolChoice == ToolChoice.none && !usesTools { return nil }
        var config: [(String, JSONValue)] = [("tools", .array(request.tools.map { tool in
            var spec: [(String, JSONValue)] = [("name", .string(tool.name))]
            if let description = tool.description { spec.append(("description", .string(description))) }
            spec.append(("inputSchema", .object([("json", tool.parameters ?? .object([("type", .string("object"))]))])))
            return .object([("toolSpec", .object(spec))])
        }))]
        switch request.toolChoice {
        case .required?: config.append(("toolChoice", .object([("any", .object([]))])))
        case .function(let name)?: config.append(("toolChoice", .object([("tool", .object([("name", .string(name))]))])))
        case .auto?: config.append(("toolChoice", .object([("auto", .object([]))])))
        case .none?, nil: break
        }
        return .object(config)
    }

    public func completion(from body: [UInt8], model: String, fallbackID: String, providerName: String) throws(GatewayError) -> ChatCompletion {
        guard let response = try? JSONParser.parse(body), let message = response["output"]?["message"] else {
            throw StreamFailure.malformed("the response is not a Converse response", provider: providerName)
        }
        var text = ""
        var calls: [ToolCall] = []
        for block in message["content"]?.arrayValue ?? [] {
            if let piece = block["text"]?.stringValue { text += piece }
            if let use = block["toolUse"] {
                calls.append(ToolCall(id: use["toolUseId"]?.stringValue ?? "call_\(calls.count + 1)", name: use["name"]?.stringValue ?? "",
                                      arguments: JSONWriter.string(use["input"] ?? .object([]))))
            }
        }
        return ChatCompletion(id: fallbackID, model: model, created: Int(Timestamp.nowMillis() / 1000),
                              choices: [ChatChoice(text: text.isEmpty && !calls.isEmpty ? nil : text, toolCalls: calls,
                                                   finishReason: Self.finishReason(response["stopReason"]?.stringValue))],
                              usage: response["usage"].flatMap(Self.usage))
    }

    static func finishReason(_ reason: String?) -> FinishReason? {
        switch reason {
        case nil: return nil
        case "max_tokens"?, "model_context_window_exceeded"?: return .length
        case "tool_use"?: return .toolCalls
        case "guardrail_intervened"?, "content_filtered"?: return .contentFilter
        default: return .stop
        }
    }

    /// Bedrock counts cache reads and writes apart from `inputTokens`; OpenAI's prompt count includes them.
    static func usage(_ usage: JSONValue) -> TokenUsage? {
        guard case .object = usage else { return nil }
        let cacheRead = usage["cacheReadInputTokens"]?.intValue ?? 0
        let cacheWrite = usage["cacheWriteInputTokens"]?.intValue ?? 0
        return TokenUsage(inputTokens: (usage["inputTokens"]?.intValue ?? 0) + cacheRead + cacheWrite,
                          outputTokens: usage["outputTokens"]?.intValue ?? 0, cachedInputTokens: cacheRead)
    }

    public func streamDecoder(model: String, fallbackID: String, providerName: String) -> any ChatStreamDecoder {
        BedrockStreamDecoder(model: model, fallbackID: fallbackID, providerName: providerName)
    }

    /// 424 (ModelErrorException) and 408 (ModelTimeoutException) are the model failing, not the request.
    public func error(status: Int, body: [UInt8], providerName: String) -> GatewayError {
        let detail = errorDetail(in: body)
        return UpstreamErrorMapping.gatewayError(status: status == 424 || status == 408 ? 500 : status, message: detail.message,
                                                 code: detail.code, providerName: providerName)
    }

    /// Bedrock's errors are `{"message": ...}` (some services spell it `Message`); the exception name comes in a header.
    public func errorDetail(in body: [UInt8]) -> (message: String?, code: String?) {
        let document = try? JSONParser.parse(body)
        return ((document?["message"] ?? document?["Message"])?.stringValue, nil)
    }
}

/// The authority and path of an absolute URL, as signed.
enum URLParts {
    static func authority(of url: String) -> String {
        let rest = url.split(separator: "://", maxSplits: 1).last.map(String.init) ?? url
        return String(rest.prefix { $0 != "/" && $0 != "?" })
    }

    static func path(of url: String) -> String {
        let rest = url.split(separator: "://", maxSplits: 1).last.map(String.init) ?? url
        guard let slash = rest.firstIndex(of: "/") else { return "" }
        return String(rest[slash...].prefix { $0 != "?" })
    }
}
