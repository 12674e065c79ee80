import Core
import HTTPKit

/// Google Gemini `models/{model}:generateContent` and `:streamGenerateContent?alt=sse`: `user`/`model`
/// roles, a system instruction, function declarations and calls, safety finish reasons.
public struct GeminiTranslator: ChatTranslator {
    public init() {}

    public func wireRequest(_ request: ChatCompletionRequest, provider: ProviderConfig, upstreamModel: String) throws(GatewayError) -> WireRequest {
        var body: [(String, JSONValue)] = [("contents", .array(try Self.contents(request.messages)))]
        let system = request.messages.filter { $0.role == .system || $0.role == .developer }.map(\.text)
        if !system.isEmpty {
            body.append(("systemInstruction", .object([("parts", .array([.object([("text", .string(system.joined(separator: "\n\n")))])]))])))
        }
        if !request.tools.isEmpty {
            body.append(("tools", .array([.object([("functionDeclarations", .array(request.tools.map { tool in
                var fields: [(String, JSONValue)] = [("name", .string(tool.name))]
                if let description = tool.description { fields.append(("description", .string(description))) }
                if let parameters = tool.parameters { fields.append(("parameters", GeminiSchema.clean(parameters))) }
                return .object(fields)
            }))])])))
            if let config = Self.toolConfig(request.toolChoice) { body.append(("toolConfig", config)) }
        }
        var generation: [(String, JSONValue)] = []
        if let temperature = request.temperature { generation.append(("temperature", .number(JSONNumberText.of(temperature)))) }
        if let topP = request.topP { generation.append(("topP", .number(JSONNumberText.of(topP)))) }
        if let maxTokens = request.maxTokens { generation.append(("maxOutputTokens", .int(maxTokens))) }
        if !request.stop.isEmpty { generation.append(("stopSequences", .array(request.stop.map { .string($0) }))) }
        if let n = request.n { generation.append(("candidateCount", .int(n))) }
        if let seed = request.seed { generation.append(("seed", .int(seed))) }
        switch request.responseFormat {
        case .jsonObject?:
            generation.append(("responseMimeType", .string("application/json")))
        case .jsonSchema(_, let schema, _)?:
            generation.append(("responseMimeType", .string("application/json")))
            generation.append(("responseSchema", GeminiSchema.clean(schema)))
        default:
            break
        }
        if !generation.isEmpty { body.append(("generationConfig", .object(generation))) }
        var headers = HTTPHeaders("content-type", "application/json")
        if let key = provider.apiKey { headers.add("x-goog-api-key", key) }
        let method = request.stream ? ":streamGenerateContent?alt=sse" : ":generateContent"
        let model = upstreamModel.hasPrefix("models/") ? String(upstreamModel.dropFirst(7)) : upstreamModel
        return WireRequest(url: provider.trimmedBaseURL + "/models/" + PercentEncoding.pathSegment(model) + method, headers: headers,
                           body: JSONWriter.encode(.object(body)))
    }

    /// Gemini's contents: `user` and `model` turns; tool results are `functionResponse` parts named after
    /// the call they answer (Gemini matches by name), consecutive turns of one role merged.
    static func contents(_ messages: [ChatMessage]) throws(GatewayError) -> [JSONValue] {
        try ConversationRendering(
            assistantRole: "model", itemsKey: "parts", content: part,
            toolCall: { call throws(GatewayError) in
                .object([("functionCall", .object([("name", .string(call.name)),
                                                   ("args", try ToolArguments.object(call.arguments, tool: call.name))]))])
            },
            toolResult: { message, callName in
                let text = message.text
                let parsed = try? JSONParser.parse(Array(text.utf8))
                let response: JSONValue = parsed?.objectValue != nil ? parsed! : .object([("result", .string(text))])
                return .object([("functionResponse", .object([("name", .string(callName ?? message.name ?? "tool")), ("response", response)]))])
            }
        ).turns(messages)
    }

    static func part(_ content: ContentPart) -> JSONValue {
        switch content {
        case .text(let text):
            return .object([("text", .string(text))])
        case .image(.base64(let mediaType, let data)):
            return .object([("inlineData", .object([("mimeType", .string(mediaType)), ("data", .string(data))]))])
        case .image(.url(let url)):
            return .object([("fileData", .object([("mimeType", .string(ImageType.guess(url))), ("fileUri", .string(url))]))])
        }
    }

    static func toolConfig(_ choice: ToolChoice?) -> JSONValue? {
        let mode: String
        var names: [String] = []
        switch choice {
        case nil, .auto?: return nil
        case .none?: mode = "NONE"
        case .required?: mode = "ANY"
        case .function(let name)?:
            mode = "ANY"
            names = [name]
        }
        var config: [(String, JSONValue)] = [("mode", .string(mode))]
        if !names.isEmpty { config.append(("allowedFunctionNames", .array(names.map { .string($0) }))) }
        return .object([("functionCallingConfig", .object(config))])
    }

    public func completion(from body: [UInt8], model: String, fallbackID: String, providerName: String) throws(GatewayError) -> ChatCompletion {
        guard let response = try? JSONParser.parse(body), case .object = response else {
            throw StreamFailure.malformed("the response is not a GenerateContentResponse", provider: providerName)
        }
        var choices: [ChatChoice] = []
        var callCount = 0
        for (position, candidate) in (response["candidates"]?.arrayValue ?? []).enumerated() {
            let (text, calls) = Self.read(candidate["content"]?["parts"]?.arrayValue ?? [], callCount: &callCount)
            choices.append(ChatChoice(index: candidate["index"]?.intValue ?? position, text: text.isEmpty && !calls.isEmpty ? nil : text,
                                      toolCalls: calls,
                                      finishReason: Self.finishReason(candidate["finishReason"]?.stringValue, hasCalls: !calls.isEmpty)))
        }
        if choices.isEmpty {
            // The prompt itself was blocked (promptFeedback.blockReason): no candidates at all.
            choices = [ChatChoice(text: nil, finishReason: .contentFilter)]
        }
        return ChatCompletion(id: response["responseId"]?.stringValue ?? fallbackID, model: response["modelVersion"]?.stringValue ?? model,
                              created: Int(Timestamp.nowMillis() / 1000), choices: choices,
                              usage: response["usageMetadata"].flatMap(Self.usage))
    }

    /// The text and function calls of a candidate's parts; calls get ids (`call_N`) when Gemini sends none.
    static func read(_ parts: [JSONValue], callCount: inout Int) -> (String, [ToolCall]) {
        var text = ""
        var calls: [ToolCall] = []
        for part in parts {
            if part["thought"]?.boolValue == true { continue }
            if let piece = part["text"]?.stringValue { text += piece }
            if let call = part["functionCall"] {
                callCount += 1
                calls.append(ToolCall(id: call["id"]?.stringValue ?? "call_\(callCount)", name: call["name"]?.stringValue ?? "",
                                      arguments: JSONWriter.string(call["args"] ?? .object([]))))
            }
        }
        return (text, calls)
    }

    static func finishReason(_ reason: String?, hasCalls: Bool) -> FinishReason? {
        switch reason {
        case nil, "FINISH_REASON_UNSPECIFIED"?: return nil
        case "MAX_TOKENS"?: return .length
        case "SAFETY"?, "RECITATION"?, "BLOCKLIST"?, "PROHIBITED_CONTENT"?, "SPII"?, "IMAGE_SAFETY"?: return .contentFilter
        default: return hasCalls ? .toolCalls : .stop
        }
    }

    /// Gemini's prompt count includes cached content; its candidates count excludes thinking tokens, which OpenAI counts as output.
    static func usage(_ metadata: JSONValue) -> TokenUsage? {
        guard case .object = metadata else { return nil }
        let thoughts = metadata["thoughtsTokenCount"]?.intValue ?? 0
        return TokenUsage(inputTokens: metadata["promptTokenCount"]?.intValue ?? 0,
                          outputTokens: (metadata["candidatesTokenCount"]?.intValue ?? 0) + thoughts,
                          cachedInputTokens: metadata["cachedContentTokenCount"]?.intValue ?? 0, reasoningTokens: thoughts)
    }

    public func streamDecoder(model: String, fallbackID: String, providerName: String) -> any ChatStreamDecoder {
        GeminiStreamDecoder(model: model, fallbackID: fallbackID, providerName: providerName)
    }

    /// Gemini answers a bad API key with 400 INVALID_ARGUMENT (reason API_KEY_INVALID): reported as the auth failure it is.
    public func error(status: Int, body: [UInt8], providerName: String) -> GatewayError {
        let error = Self.errorObject(in: body)
        let message = error?["message"]?.stringValue
        let keyRejected = status == 400 && (message?.contains("API key not valid") == true
            || JSONWriter.string(error?["details"] ?? .null).contains("API_KEY_INVALID"))
        return UpstreamErrorMapping.gatewayError(status: keyRejected ? 401 : status, message: message,
                                                 code: error?["status"]?.stringValue.map { $0.lowercased() }, providerName: providerName)
    }

    public func errorDetail(in body: [UInt8]) -> (message: String?, code: String?) {
        let error = Self.errorObject(in: body)
        return (error?["message"]?.stringValue, error?["status"]?.stringValue.map { $0.lowercased() })
    }

    /// Gemini's `error` object; a streamed error body may wrap it in an array.
    static func errorObject(in body: [UInt8]) -> JSONValue? {
        let document = try? JSONParser.parse(body)
        return document?["error"] ?? document?.arrayValue?.first?["error"]
    }
}

/// Gemini accepts an OpenAPI subset of JSON Schema: keywords it rejects are dropped.
enum GeminiSchema {
    static let unsupported: Set<String> = ["additionalProperties", "$schema", "$id", "strict"]

    static func clean(_ schema: JSONValue) -> JSONValue {
        switch schema {
        case .object(let fields):
            return .object(fields.filter { !unsupported.contains($0.0) }.map { ($0.0, clean($0.1)) })
        case .array(let items):
            return .array(items.map(clean))
        default:
            return schema
        }
    }
}

/// A MIME type for an image URL, from its extension (Gemini's `fileData` requires one).
enum ImageType {
    static func guess(_ url: String) -> String {
        let path = url.split(separator: "?").first.map(String.init)?.lowercased() ?? ""
        if path.hasSuffix(".png") { return "image/png" }
        if path.hasSuffix(".webp") { return "image/webp" }
        if path.hasSuffix(".gif") { return "image/gif" }
        if path.hasSuffix(".heic") { return "image/heic" }
        return "image/jpeg"
    }
}

/// Percent-encoding of one URL path segment (model names are user-supplied).
enum PercentEncoding {
    static let hexDigits = Array("0123456789ABCDEF".utf8)

    static func pathSegment(_ text: String) -> String {
        var bytes: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case 48...57, 65...90, 97...122, 45, 46, 95, 126: bytes.append(byte)
            default: bytes += [UInt8(ascii: "%"), hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 15)]]
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
