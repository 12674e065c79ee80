import Core
import HTTPKit

/// Ollama's native chat (`POST /api/chat`): plain-text messages with base64 `images`, tool calls with
/// object arguments and no ids, sampling under `options`, `format` for JSON output, an NDJSON stream.
public struct OllamaTranslator: ChatTranslator {
    public init() {}

    public func wireRequest(_ request: ChatCompletionRequest, provider: ProviderConfig, upstreamModel: String) throws(GatewayError) -> WireRequest {
        if let n = request.n, n > 1 {
            throw .invalidRequest("Provider kind 'ollama' returns one choice per request; 'n' must be 1.", param: "n")
        }
        var callNames: [String: String] = [:]
        var messages: [JSONValue] = []
        for message in request.messages {
            messages.append(try Self.message(message, callNames: &callNames))
        }
        var body: [(String, JSONValue)] = [("model", .string(upstreamModel)), ("messages", .array(messages))]
        var tools = request.tools
        if case .function(let name)? = request.toolChoice { tools = tools.filter { $0.name == name } }
        if request.toolChoice == ToolChoice.none { tools = [] }
        if !tools.isEmpty { body.append(("tools", .array(tools.map(\.openAIJSON)))) }
        switch request.responseFormat {
        case .jsonObject?: body.append(("format", .string("json")))
        case .jsonSchema(_, let schema, _)?: body.append(("format", schema))
        case .text?, nil: break
        }
        var options: [(String, JSONValue)] = []
        if let temperature = request.temperature { options.append(("temperature", .number(JSONNumberText.of(temperature)))) }
        if let topP = request.topP { options.append(("top_p", .number(JSONNumberText.of(topP)))) }
        if let maxTokens = request.maxTokens { options.append(("num_predict", .int(maxTokens))) }
        if !request.stop.isEmpty { options.append(("stop", .array(request.stop.map { .string($0) }))) }
        if let seed = request.seed { options.append(("seed", .int(seed))) }
        if !options.isEmpty { body.append(("options", .object(options))) }
        // Ollama streams unless told not to.
        body.append(("stream", .bool(request.stream)))
        var headers = HTTPHeaders("content-type", "application/json")
        if let key = provider.apiKey { headers.add("authorization", "Bearer " + key) }
        return WireRequest(url: provider.trimmedBaseURL + "/api/chat", headers: headers, body: JSONWriter.encode(.object(body)))
    }

    /// One message: text as a string, images as base64 (Ollama cannot fetch URLs), tool calls with object
    /// arguments, tool results naming the tool they answer.
    static func message(_ message: ChatMessage, callNames: inout [String: String]) throws(GatewayError) -> JSONValue {
        let role = message.role == .developer ? "system" : message.role.rawValue
        var fields: [(String, JSONValue)] = [("role", .string(role)), ("content", .string(message.text))]
        var images: [JSONValue] = []
        for part in message.content {
            switch part {
            case .text: continue
            case .image(.base64(_, let data)): images.append(.string(data))
            case .image(.url):
                throw .invalidRequest("Provider kind 'ollama' accepts images only as base64 data URLs.", param: "messages")
            }
        }
        if !images.isEmpty { fields.append(("images", .array(images))) }
        if !message.toolCalls.isEmpty {
            var calls: [JSONValue] = []
            for call in message.toolCalls {
                callNames[call.id] = call.name
                calls.append(.object([("function", .object([("name", .string(call.name)),
                                                            ("arguments", try ToolArguments.object(call.arguments, tool: call.name))]))]))
            }
            fields.append(("tool_calls", .array(calls)))
        }
        if message.role == .tool, let name = message.toolCallID.flatMap({ callNames[$0] }) ?? message.name {
            fields.append(("tool_name", .string(name)))
        }
        return .object(fields)
    }

    public func completion(from body: [UInt8], model: String, fallbackID: String, providerName: String) throws(GatewayError) -> ChatCompletion {
        guard let response = try? JSONParser.parse(body), let message = response["message"] else {
            throw StreamFailure.malformed("the response is not an Ollama chat response", provider: providerName)
        }
        var callCount = 0
        let calls = Self.toolCalls(message, callCount: &callCount)
        let text = message["content"]?.stringValue ?? ""
        return ChatCompletion(id: fallbackID, model: response["model"]?.stringValue ?? model, created: Int(Timestamp.nowMillis() / 1000),
                              choices: [ChatChoice(text: text.isEmpty && !calls.isEmpty ? nil : text, toolCalls: calls,
                                                   finishReason: Self.finishReason(response["done_reason"]?.stringValue, hasCalls: !calls.isEmpty))],
                              usage: Self.usage(response))
    }

    /// A message's tool calls with generated ids (`call_N`, numbered across the response).
    static func toolCalls(_ message: JSONValue, callCount: inout Int) -> [ToolCall] {
        (message["tool_calls"]?.arrayValue ?? []).map { call in
            callCount += 1
            let function = call["function"]
            return ToolCall(id: call["id"]?.stringValue ?? "call_\(callCount)", name: function?["name"]?.stringValue ?? "",
                            arguments: JSONWriter.string(function?["arguments"] ?? .object([])))
        }
    }

    static func finishReason(_ reason: String?, hasCalls: Bool) -> FinishReason {
        if reason == "length" { return .length }
        return hasCalls ? .toolCalls : .stop
    }

    /// `prompt_eval_count` is the prompt tokens evaluated, `eval_count` the tokens generated.
    static func usage(_ response: JSONValue) -> TokenUsage? {
        guard response["prompt_eval_count"] != nil || response["eval_count"] != nil else { return nil }
        return TokenUsage(inputTokens: response["prompt_eval_count"]?.intValue ?? 0, outputTokens: response["eval_count"]?.intValue ?? 0)
    }

    public func streamDecoder(model: String, fallbackID: String, providerName: String) -> any ChatStreamDecoder {
        OllamaStreamDecoder(model: model, fallbackID: fallbackID, providerName: providerName)
    }

    /// Ollama's errors are `{"error": "..."}`.
    public func errorDetail(in body: [UInt8]) -> (message: String?, code: String?) {
        ((try? JSONParser.parse(body))?["error"]?.stringValue, nil)
    }
}
