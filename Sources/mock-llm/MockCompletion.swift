import Core

/// The deterministic completion mock-llm answers with: `chunkCount` words, as one response or as stream chunks.
struct MockCompletion: Sendable {
    let model: String
    let promptTokens: Int
    let chunkCount: Int
    let includeUsage: Bool
    /// Appended to every word (see `MockBehaviour.padding`).
    let padding: String
    let id = Identifier.make("chatcmpl")
    let created = Int(Timestamp.nowMillis() / 1000)

    /// A rough prompt token count: whitespace-separated words of every text content.
    static func countWords(_ messages: [JSONValue]) -> Int {
        var count = 0
        for message in messages {
            if let text = message["content"]?.stringValue { count += text.split(whereSeparator: { $0 == " " || $0 == "\n" }).count }
            for part in message["content"]?.arrayValue ?? [] {
                count += (part["text"]?.stringValue ?? "").split(separator: " ").count
            }
        }
        return max(1, count)
    }

    func word(_ index: Int) -> String { (index == 0 ? "Hello" : " word\(index)") + padding }

    var usage: JSONValue {
        .object([("prompt_tokens", .int(promptTokens)), ("completion_tokens", .int(chunkCount)), ("total_tokens", .int(promptTokens + chunkCount))])
    }

    var response: JSONValue {
        let text = (0..<chunkCount).map(word).joined()
        return .object([
            ("id", .string(id)), ("object", .string("chat.completion")), ("created", .int(created)), ("model", .string(model)),
            ("choices", .array([.object([("index", .int(0)),
                                         ("message", .object([("role", .string("assistant")), ("content", .string(text))])),
                                         ("logprobs", .null), ("finish_reason", .string("stop"))])])),
            ("usage", usage),
        ])
    }

    /// The stream chunk carrying word `index`, or the final chunk (finish reason) when `index == chunkCount`.
    func chunk(_ index: Int) -> JSONValue {
        var delta: [(String, JSONValue)] = []
        if index == 0 { delta.append(("role", .string("assistant"))) }
        if index < chunkCount { delta.append(("content", .string(word(index)))) }
        let finish: JSONValue = index >= chunkCount ? .string("stop") : .null
        return envelope(choices: [.object([("index", .int(0)), ("delta", .object(delta)), ("logprobs", .null), ("finish_reason", finish)])])
    }

    /// The usage-only chunk sent last when the client asked for `stream_options.include_usage`.
    var usageChunk: JSONValue { envelope(choices: []).setting("usage", to: usage) }

    func envelope(choices: [JSONValue]) -> JSONValue {
        .object([("id", .string(id)), ("object", .string("chat.completion.chunk")), ("created", .int(created)), ("model", .string(model)),
                 ("choices", .array(choices))])
    }
}
