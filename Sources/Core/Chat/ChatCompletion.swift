/// Why a choice stopped, in OpenAI's terms.
public enum FinishReason: String, Sendable, Equatable {
    case stop, length
    case toolCalls = "tool_calls"
    case contentFilter = "content_filter"
}

/// The canonical non-streamed answer: OpenAI's `chat.completion`.
public struct ChatCompletion: Sendable, Equatable {
    public var id: String
    public var model: String
    public var created: Int
    public var choices: [ChatChoice]
    public var usage: TokenUsage?

    public init(id: String, model: String, created: Int, choices: [ChatChoice], usage: TokenUsage?) {
        self.id = id
        self.model = model
        self.created = created
        self.choices = choices
        self.usage = usage
    }

    public var json: JSONValue {
        completionEnvelope(object: "chat.completion", id: id, created: created, model: model, choices: choices.map(\.json), usage: usage)
    }
}

/// One choice of a completion: the assistant's message and why it stopped.
public struct ChatChoice: Sendable, Equatable {
    public var index: Int
    public var text: String?
    public var toolCalls: [ToolCall]
    public var finishReason: FinishReason?

    public init(index: Int = 0, text: String?, toolCalls: [ToolCall] = [], finishReason: FinishReason?) {
        self.index = index
        self.text = text
        self.toolCalls = toolCalls
        self.finishReason = finishReason
    }

    var json: JSONValue {
        var message: [(String, JSONValue)] = [("role", .string("assistant")), ("content", .optional(text))]
        if !toolCalls.isEmpty {
            message.append(("tool_calls", .array(toolCalls.map(\.openAIJSON))))
        }
        return .object([("index", .int(index)), ("message", .object(message)), ("logprobs", .null),
                        ("finish_reason", .optional(finishReason?.rawValue))])
    }
}

/// The canonical stream event: OpenAI's `chat.completion.chunk`.
public struct ChatCompletionChunk: Sendable, Equatable {
    public var id: String
    public var model: String
    public var created: Int
    public var choices: [ChunkChoice]
    public var usage: TokenUsage?

    public init(id: String, model: String, created: Int, choices: [ChunkChoice], usage: TokenUsage? = nil) {
        self.id = id
        self.model = model
        self.created = created
        self.choices = choices
        self.usage = usage
    }

    public var json: JSONValue {
        completionEnvelope(object: "chat.completion.chunk", id: id, created: created, model: model, choices: choices.map(\.json), usage: usage)
    }
}

public struct ChunkChoice: Sendable, Equatable {
    public var index: Int
    public var role: ChatRole?
    public var content: String?
    public var toolCalls: [ToolCallDelta]
    public var finishReason: FinishReason?

    public init(index: Int = 0, role: ChatRole? = nil, content: String? = nil, toolCalls: [ToolCallDelta] = [], finishReason: FinishReason? = nil) {
        self.index = index
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.finishReason = finishReason
    }

    var json: JSONValue {
        var delta: [(String, JSONValue)] = []
        if let role { delta.append(("role", .string(role.rawValue))) }
        if let content { delta.append(("content", .string(content))) }
        if !toolCalls.isEmpty { delta.append(("tool_calls", .array(toolCalls.map(\.json)))) }
        return .object([("index", .int(index)), ("delta", .object(delta)), ("logprobs", .null),
                        ("finish_reason", .optional(finishReason?.rawValue))])
    }
}

/// A piece of a tool call in a stream: the first piece has the id and name, later ones argument text.
public struct ToolCallDelta: Sendable, Equatable {
    public var index: Int
    public var id: String?
    public var name: String?
    public var arguments: String?

    public init(index: Int, id: String? = nil, name: String? = nil, arguments: String? = nil) {
        self.index = index
        self.id = id
        self.name = name
        self.arguments = arguments
    }

    var json: JSONValue {
        var fields: [(String, JSONValue)] = [("index", .int(index))]
        if let id { fields.append(("id", .string(id))); fields.append(("type", .string("function"))) }
        var function: [(String, JSONValue)] = []
        if let name { function.append(("name", .string(name))) }
        if let arguments { function.append(("arguments", .string(arguments))) }
        fields.append(("function", .object(function)))
        return .object(fields)
    }
}

/// The fields a completion and a chunk share, in OpenAI's order.
func completionEnvelope(object: String, id: String, created: Int, model: String, choices: [JSONValue], usage: TokenUsage?) -> JSONValue {
    var fields: [(String, JSONValue)] = [("id", .string(id)), ("object", .string(object)), ("created", .int(created)),
                                         ("model", .string(model)), ("choices", .array(choices))]
    if let usage { fields.append(("usage", usage.json)) }
    return .object(fields)
}
