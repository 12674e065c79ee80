import Core

/// Tool-call arguments: OpenAI sends them as JSON text, most other providers as an object.
enum ToolArguments {
    /// The arguments as an object; empty text counts as `{}`, anything but an object is a 400.
    static func object(_ arguments: String, tool: String) throws(GatewayError) -> JSONValue {
        if arguments.utf8.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 10 || $0 == 13 }) { return .object([]) }
        guard let value = try? JSONParser.parse(Array(arguments.utf8)), case .object = value else {
            throw .invalidRequest("The arguments of the call to tool '\(tool)' are not a JSON object.", param: "messages")
        }
        return value
    }
}

/// For providers without a JSON mode: the instruction that asks for JSON output instead.
enum JSONInstruction {
    static func text(for format: ResponseFormat?) -> String? {
        switch format {
        case .jsonObject?:
            return "Respond with a single JSON object and nothing else."
        case .jsonSchema(_, let schema, _)?:
            return "Respond with a single JSON object that conforms to this JSON Schema, and nothing else:\n" + JSONWriter.string(schema)
        default:
            return nil
        }
    }
}

extension ProviderConfig {
    /// The base URL without a trailing slash, ready for a path.
    var trimmedBaseURL: String { baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL }
}

/// How a wire family without system messages renders the conversation (Anthropic, Gemini): system and
/// developer messages are left to the caller to hoist, user and tool messages become `user` turns,
/// assistant messages `assistantRole` turns, and consecutive turns of one role are merged.
struct ConversationRendering {
    let assistantRole: String
    /// The key holding a turn's items (`content` blocks, `parts`).
    let itemsKey: String
    /// A user content part, or an assistant's text as `.text`.
    let content: (ContentPart) -> JSONValue
    let toolCall: (ToolCall) throws(GatewayError) -> JSONValue
    /// A tool message, with the name of the call it answers when an earlier assistant message made it.
    let toolResult: (ChatMessage, _ callName: String?) -> JSONValue

    func turns(_ messages: [ChatMessage]) throws(GatewayError) -> [JSONValue] {
        var turns: [(role: String, items: [JSONValue])] = []
        var callNames: [String: String] = [:]
        for message in messages {
            let role: String
            var items: [JSONValue] = []
            switch message.role {
            case .system, .developer:
                continue
            case .user:
                role = "user"
                items = message.content.map(content)
            case .assistant:
                role = assistantRole
                let text = message.text
                if !text.isEmpty { items.append(content(.text(text))) }
                for call in message.toolCalls {
                    callNames[call.id] = call.name
                    items.append(try toolCall(call))
                }
            case .tool:
                role = "user"
                items = [toolResult(message, message.toolCallID.flatMap { callNames[$0] })]
            }
            guard !items.isEmpty else { continue }
            if let last = turns.last, last.role == role {
                turns[turns.count - 1].items += items
            } else {
                turns.append((role, items))
            }
        }
        return turns.map { .object([("role", .string($0.role)), (itemsKey, .array($0.items))]) }
    }
}
