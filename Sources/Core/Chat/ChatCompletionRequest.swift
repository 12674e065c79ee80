/// The canonical chat request: OpenAI's Chat Completions request, which every adapter translates from.
public struct ChatCompletionRequest: Sendable {
    public var model: String
    public var messages: [ChatMessage]
    public var tools: [ToolDefinition] = []
    public var toolChoice: ToolChoice?
    public var parallelToolCalls: Bool?
    public var responseFormat: ResponseFormat?
    public var temperature: Double?
    public var topP: Double?
    /// `max_completion_tokens`, or the older `max_tokens`.
    public var maxTokens: Int?
    public var stop: [String] = []
    public var seed: Int?
    public var user: String?
    public var n: Int?
    public var stream = false
    public var includeUsage = false
    /// Top-level fields the canonical form does not model, in order (OpenAI-format upstreams get them as sent).
    public var extra: [(String, JSONValue)] = []

    public init(model: String, messages: [ChatMessage]) {
        self.model = model
        self.messages = messages
    }
}

public enum ChatRole: String, Sendable, Equatable {
    case system, developer, user, assistant, tool
}

/// One message of the conversation.
public struct ChatMessage: Sendable, Equatable {
    public var role: ChatRole
    public var content: [ContentPart]
    /// Calls an assistant message asks for.
    public var toolCalls: [ToolCall]
    /// For a `tool` message: the call it answers.
    public var toolCallID: String?
    public var name: String?

    public init(role: ChatRole, content: [ContentPart] = [], toolCalls: [ToolCall] = [], toolCallID: String? = nil, name: String? = nil) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
        self.name = name
    }

    /// The text parts joined, for providers and roles that take plain text.
    public var text: String {
        content.compactMap { if case .text(let text) = $0 { return text } else { return nil } }.joined()
    }
}

/// A piece of message content.
public enum ContentPart: Sendable, Equatable {
    case text(String)
    case image(ImageSource)
}

/// Where an image comes from: a URL to fetch, or inline base64 data (from a `data:` URL).
public enum ImageSource: Sendable, Equatable {
    case url(String)
    case base64(mediaType: String, data: String)

    /// Reads an OpenAI `image_url.url`, unpacking `data:<type>;base64,<data>`.
    public init(openAIURL url: String) {
        if url.hasPrefix("data:"), let comma = url.firstIndex(of: ","), url[..<comma].hasSuffix(";base64") {
            let mediaType = url[url.index(url.startIndex, offsetBy: 5)..<comma].dropLast(7)
            self = .base64(mediaType: String(mediaType), data: String(url[url.index(after: comma)...]))
        } else {
            self = .url(url)
        }
    }

    /// The OpenAI `image_url.url` form.
    public var openAIURL: String {
        switch self {
        case .url(let url): return url
        case .base64(let mediaType, let data): return "data:\(mediaType);base64,\(data)"
        }
    }
}

/// A function call requested by the model; `arguments` is JSON text, as OpenAI sends it.
public struct ToolCall: Sendable, Equatable {
    public var id: String
    public var name: String
    public var arguments: String
    public init(id: String, name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }
}

/// A function the model may call.
public struct ToolDefinition: Sendable, Equatable {
    public var name: String
    public var description: String?
    /// JSON Schema of the arguments.
    public var parameters: JSONValue?
    public var strict: Bool?
    public init(name: String, description: String? = nil, parameters: JSONValue? = nil, strict: Bool? = nil) {
        self.name = name
        self.description = description
        self.parameters = parameters
        self.strict = strict
    }
}

public enum ToolChoice: Sendable, Equatable {
    case auto, none, required
    case function(String)
}

public enum ResponseFormat: Sendable, Equatable {
    case text
    case jsonObject
    case jsonSchema(name: String, schema: JSONValue, strict: Bool?)
}
