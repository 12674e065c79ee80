/// Token counts reported by a provider, in OpenAI's terms: `inputTokens` includes cached input.
public struct TokenUsage: Sendable, Equatable {
    public var inputTokens: Int
    public var outputTokens: Int
    /// Input tokens served from the provider's prompt cache (a subset of `inputTokens`).
    public var cachedInputTokens: Int
    /// Output tokens spent on reasoning (a subset of `outputTokens`).
    public var reasoningTokens: Int

    public init(inputTokens: Int, outputTokens: Int, cachedInputTokens: Int = 0, reasoningTokens: Int = 0) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedInputTokens = cachedInputTokens
        self.reasoningTokens = reasoningTokens
    }

    /// OpenAI's `usage` object.
    public var json: JSONValue {
        .object([("prompt_tokens", .int(inputTokens)), ("completion_tokens", .int(outputTokens)),
                 ("total_tokens", .int(inputTokens + outputTokens)),
                 ("prompt_tokens_details", .object([("cached_tokens", .int(cachedInputTokens))])),
                 ("completion_tokens_details", .object([("reasoning_tokens", .int(reasoningTokens))]))])
    }
}
