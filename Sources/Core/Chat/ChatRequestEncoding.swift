/// The canonical request back in OpenAI's JSON shapes: for OpenAI-format upstreams reached from another
/// ingress, and for families whose messages follow OpenAI's (Cohere v2).
extension ChatCompletionRequest {
    /// The whole request as an OpenAI Chat Completions body for `model`.
    public func openAIJSON(model: String) -> JSONValue {
        var body: [(String, JSONValue)] = [("model", .string(model)), ("messages", .array(messages.map(\.openAIJSON)))]
        if !tools.isEmpty { body.append(("tools", .array(tools.map(\.openAIJSON)))) }
        if let toolChoice { body.append(("tool_choice", toolChoice.openAIJSON)) }
        if let parallelToolCalls { body.append(("parallel_tool_calls", .bool(parallelToolCalls))) }
        if let responseFormat { body.append(("response_format", responseFormat.openAIJSON)) }
        if let temperature { body.append(("temperature", .number(JSONNumberText.of(temperature)))) }
        if let topP { body.append(("top_p", .number(JSONNumberText.of(topP)))) }
        if let maxTokens { body.append(("max_completion_tokens", .int(maxTokens))) }
        if !stop.isEmpty { body.append(("stop", .array(stop.map { .string($0) }))) }
        if let seed { body.append(("seed", .int(seed))) }
        if let user { body.append(("user", .string(user))) }
        if let n { body.append(("n", .int(n))) }
        if stream {
            body.append(("stream", .bool(true)))
            body.append(("stream_options", .object([("include_usage", .bool(true))])))
        }
        body += extra.filter { name, _ in !body.contains { $0.0 == name } }
        return .object(body)
    }
}

extension ChatMessage {
    /// The message as OpenAI sends it: text content as a string, other content as parts.
    public var openAIJSON: JSONValue {
        var fields: [(String, JSONValue)] = [("role", .string(role.rawValue))]
        let textOnly = content.allSatisfy { if case .text = $0 { return true } else { return false } }
        if textOnly {
            fields.append(("content", content.isEmpty && !toolCalls.isEmpty ? .null : .string(text)))
        } else {
            fields.append(("content", .array(content.map(\.openAIJSON))))
        }
        if !toolCalls.isEmpty { fields.append(("tool_calls", .array(toolCalls.map(\.openAIJSON)))) }
        if let toolCallID { fields.append(("tool_call_id", .string(toolCallID))) }
        if let name { fields.append(("name", .string(name))) }
        return .object(fields)
    }
}

extension ContentPart {
    /// An OpenAI content part: `text`, or `image_url` (base64 images as `data:` URLs).
    public var openAIJSON: JSONValue {
        switch self {
        case .text(let text):
            return .object([("type", .string("text")), ("text", .string(text))])
        case .image(let source):
            return .object([("type", .string("image_url")), ("image_url", .object([("url", .string(source.openAIURL))]))])
        }
    }
}

extension ToolCall {
    /// `{"id", "type": "function", "function": {"name", "arguments"}}`.
    public var openAIJSON: JSONValue {
        .object([("id", .string(id)), ("type", .string("function")),
                 ("function", .object([("name", .string(name)), ("arguments", .string(arguments))]))])
    }
}

extension ToolDefinition {
    /// `{"type": "function", "function": {"name", "description", "parameters", "strict"}}`.
    public var openAIJSON: JSONValue {
        var function: [(String, JSONValue)] = [("name", .string(name))]
        if let description { function.append(("description", .string(description))) }
        if let parameters { function.append(("parameters", parameters)) }
        if let strict { function.append(("strict", .bool(strict))) }
        return .object([("type", .string("function")), ("function", .object(function))])
    }
}

extension ToolChoice {
    public var openAIJSON: JSONValue {
        switch self {
        case .auto: return .string("auto")
        case .none: return .string("none")
        case .required: return .string("required")
        case .function(let name): return .object([("type", .string("function")), ("function", .object([("name", .string(name))]))])
        }
    }
}

extension ResponseFormat {
    public var openAIJSON: JSONValue {
        switch self {
        case .text: return .object([("type", .string("text"))])
        case .jsonObject: return .object([("type", .string("json_object"))])
        case .jsonSchema(let name, let schema, let strict):
            var fields: [(String, JSONValue)] = [("name", .string(name)), ("schema", schema)]
            if let strict { fields.append(("strict", .bool(strict))) }
            return .object([("type", .string("json_schema")), ("json_schema", .object(fields))])
        }
    }
}

/// JSON number text for a Double: integers without a fraction, others in Swift's shortest form.
public enum JSONNumberText {
    public static func of(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

extension ChatCompletionRequest {
    /// The optional top-level parameters this request sets, by their OpenAI names.
    public var parameterNames: Set<String> {
        var names = Set(extra.map(\.0))
        if temperature != nil { names.insert("temperature") }
        if topP != nil { names.insert("top_p") }
        if seed != nil { names.insert("seed") }
        if n != nil { names.insert("n") }
        if !stop.isEmpty { names.insert("stop") }
        if user != nil { names.insert("user") }
        if parallelToolCalls != nil { names.insert("parallel_tool_calls") }
        if responseFormat != nil { names.insert("response_format") }
        return names
    }

    /// This request without the parameters named in `names` (for a model that refuses them).
    public func removing(_ names: Set<String>) -> ChatCompletionRequest {
        var copy = self
        if names.contains("temperature") { copy.temperature = nil }
        if names.contains("top_p") { copy.topP = nil }
        if names.contains("seed") { copy.seed = nil }
        if names.contains("n") { copy.n = nil }
        if names.contains("stop") { copy.stop = [] }
        if names.contains("user") { copy.user = nil }
        if names.contains("parallel_tool_calls") { copy.parallelToolCalls = nil }
        if names.contains("response_format") { copy.responseFormat = nil }
        copy.extra = extra.filter { !names.contains($0.0) }
        return copy
    }
}
