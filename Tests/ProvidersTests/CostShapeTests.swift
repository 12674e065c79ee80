import Core
import Providers
import Testing

/// Each provider reports usage in its own shape (cache reads inside or beside the prompt count, reasoning
/// inside or beside the output count); after translation, the cost of known token counts equals the figure
/// worked out by hand, to the picodollar. Prices: $3 input, $15 output, $0.30 cached input per million.
@Suite struct CostShapeTests {
    static let pricing = Pricing(inputPerMTok: Micros(3_000_000), outputPerMTok: Micros(15_000_000), cachedInputPerMTok: Micros(300_000))

    /// 200 uncached × $3 + 1,000 cached × $0.30 + 500 output × $15 per million = $0.0084.
    static let cachedPromptCost = Picodollars(200 * 3_000_000 + 1_000 * 300_000 + 500 * 15_000_000)

    /// The fixture answer of `family` with its usage replaced by `usage` (set at `key`).
    func cost(_ family: String, _ updates: [(String, String)], pricing: Pricing = Self.pricing) throws -> (TokenUsage, Picodollars) {
        var response = try JSONParser.parse(try Fixtures(provider: family).input("response.wire.json"))
        for (key, json) in updates { response = response.setting(key, to: try JSONParser.parse(Array(json.utf8))) }
        let (translator, _) = translator(family)
        let completion = try translator.completion(from: JSONWriter.encode(response), model: "m", fallbackID: "req_1", providerName: "p")
        let usage = try #require(completion.usage)
        return (usage, Picodollars(usage: usage, pricing: pricing))
    }

    @Test("usage read from the raw bytes (the relayed path) equals usage read from the parsed document (the translated path)",
          arguments: [
              #"{"usage":{"prompt_tokens":1200,"completion_tokens":500,"prompt_tokens_details":{"cached_tokens":1000},"completion_tokens_details":{"reasoning_tokens":200}}}"#,
              #"{"usage":{"prompt_tokens":1200,"completion_tokens":500,"prompt_cache_hit_tokens":1000}}"#,
              #"{"usage":{"prompt_tokens":1.0e3,"completion_tokens":12.0,"prompt_tokens_details":null}}"#,
              #"{"usage":{"prompt_tokens":-3,"completion_tokens":2.5,"prompt_tokens_details":{"cached_tokens":"7"}}}"#,
              #"{"usage":{"prompt_tokens":99999999999999999999,"completion_tokens":007}}"#,
              #"{"usage":{}}"#, #"{"usage":null}"#, #"{"usage":[1]}"#, #"{"choices":[]}"#,
          ])
    func usageFromBytesAndTree(_ document: String) throws {
        let bytes = Array(document.utf8)
        guard (try? JSONParser.parse(bytes)) != nil else {
            #expect(throws: (any Error).self) { try JSONObjectScan(bytes) }
            return
        }
        #expect(OpenAIAdapter.usage(in: try JSONObjectScan(bytes)) == OpenAIAdapter.usage(in: try JSONParser.parse(bytes)), "\(document)")
    }

    @Test("OpenAI: cached tokens inside prompt_tokens, reasoning inside completion_tokens")
    func openAI() throws {
        let (usage, cost) = try cost("openai", [("usage", #"{"prompt_tokens":1200,"completion_tokens":500,"total_tokens":1700,"prompt_tokens_details":{"cached_tokens":1000},"completion_tokens_details":{"reasoning_tokens":200}}"#)])
        #expect(usage == TokenUsage(inputTokens: 1_200, outputTokens: 500, cachedInputTokens: 1_000, reasoningTokens: 200))
        #expect(cost == Self.cachedPromptCost)
        #expect(cost.description == "0.0084")
        // Reasoning at its own price: 300 answer × $15 + 200 reasoning × $60.
        var reasoningPriced = Self.pricing
        reasoningPriced.reasoningPerMTok = Micros(60_000_000)
        #expect(Picodollars(usage: usage, pricing: reasoningPriced) == Picodollars(200 * 3_000_000 + 1_000 * 300_000 + 300 * 15_000_000 + 200 * 60_000_000))
    }

    @Test("DeepSeek (OpenAI-compatible): cache hits as prompt_cache_hit_tokens")
    func deepSeek() throws {
        let (usage, cost) = try cost("openai", [("usage", #"{"prompt_tokens":1200,"completion_tokens":500,"prompt_cache_hit_tokens":1000,"prompt_cache_miss_tokens":200}"#)])
        #expect(usage.cachedInputTokens == 1_000 && usage.inputTokens == 1_200)
        #expect(cost == Self.cachedPromptCost)
    }

    @Test("Anthropic: cache reads beside input_tokens")
    func anthropic() throws {
        let (usage, cost) = try cost("anthropic", [("usage", #"{"input_tokens":200,"cache_read_input_tokens":1000,"cache_creation_input_tokens":0,"output_tokens":500}"#)])
        #expect(usage == TokenUsage(inputTokens: 1_200, outputTokens: 500, cachedInputTokens: 1_000))
        #expect(cost == Self.cachedPromptCost)
    }

    @Test("Gemini: cached content inside promptTokenCount, thoughts beside candidatesTokenCount")
    func gemini() throws {
        let (usage, cost) = try cost("gemini", [("usageMetadata", #"{"promptTokenCount":1200,"cachedContentTokenCount":1000,"candidatesTokenCount":300,"thoughtsTokenCount":200,"totalTokenCount":1700}"#)])
        #expect(usage == TokenUsage(inputTokens: 1_200, outputTokens: 500, cachedInputTokens: 1_000, reasoningTokens: 200))
        #expect(cost == Self.cachedPromptCost)
    }

    @Test("Cohere: usage.tokens, cached_tokens beside them")
    func cohere() throws {
        let (usage, cost) = try cost("cohere", [("usage", #"{"billed_units":{"input_tokens":1200,"output_tokens":500},"tokens":{"input_tokens":1200,"output_tokens":500},"cached_tokens":1000}"#)])
        #expect(usage == TokenUsage(inputTokens: 1_200, outputTokens: 500, cachedInputTokens: 1_000))
        #expect(cost == Self.cachedPromptCost)
    }

    @Test("Bedrock Converse: cacheReadInputTokens beside inputTokens")
    func bedrock() throws {
        let (usage, cost) = try cost("bedrock", [("usage", #"{"inputTokens":200,"outputTokens":500,"cacheReadInputTokens":1000,"cacheWriteInputTokens":0,"totalTokens":1700}"#)])
        #expect(usage == TokenUsage(inputTokens: 1_200, outputTokens: 500, cachedInputTokens: 1_000))
        #expect(cost == Self.cachedPromptCost)
    }

    @Test("Ollama: prompt_eval_count and eval_count, no cache")
    func ollama() throws {
        let (usage, cost) = try cost("ollama", [("prompt_eval_count", "1200"), ("eval_count", "500")])
        #expect(usage == TokenUsage(inputTokens: 1_200, outputTokens: 500))
        #expect(cost == Picodollars(1_200 * 3_000_000 + 500 * 15_000_000))
        #expect(cost.description == "0.0111")
    }
}
