import Core

/// Translates Anthropic's event-typed stream (`message_start`, `content_block_*`, `message_delta`,
/// `message_stop`, `ping`, `error`) into chat-completion chunks.
final class AnthropicStreamDecoder: ChatStreamDecoder {
    private var reader = SSEJSONReader()
    private var stamp: StreamStamp
    /// Content block index → tool-call index, for tool_use blocks.
    private var toolIndexes: [Int: Int] = [:]
    private var inputTokens = 0, cachedTokens = 0, outputTokens = 0
    private var sawUsage = false
    private(set) var isComplete = false

    init(model: String, fallbackID: String, providerName: String) {
        stamp = StreamStamp(model: model, fallbackID: fallbackID, providerName: providerName)
    }

    var usage: TokenUsage? {
        sawUsage ? TokenUsage(inputTokens: inputTokens, outputTokens: outputTokens, cachedInputTokens: cachedTokens) : nil
    }

    func feed(_ bytes: UnsafeRawBufferPointer) throws(GatewayError) -> [ChatCompletionChunk] {
        var chunks: [ChatCompletionChunk] = []
        for event in try reader.feed(bytes, providerName: stamp.providerName) {
            if let choice = try translate(event) {
                chunks.append(stamp.chunk([choice]))
            }
        }
        return chunks
    }

    func finish() throws(GatewayError) -> [ChatCompletionChunk] { [] }

    private func translate(_ event: JSONValue) throws(GatewayError) -> ChunkChoice? {
        switch event["type"]?.stringValue {
        case "message_start":
            let message = event["message"]
            if let value = message?["id"]?.stringValue { stamp.id = value }
            if let value = message?["model"]?.stringValue { stamp.model = value }
            if let usage = message?["usage"].flatMap(AnthropicTranslator.usage) {
                inputTokens = usage.inputTokens
                cachedTokens = usage.cachedInputTokens
                outputTokens = usage.outputTokens
                sawUsage = true
            }
            return ChunkChoice(role: .assistant, content: "")
        case "content_block_start":
            let block = event["content_block"]
            guard block?["type"]?.stringValue == "tool_use", let index = event["index"]?.intValue else {
                let text = block?["text"]?.stringValue ?? ""
                return text.isEmpty ? nil : ChunkChoice(content: text)
            }
            let toolIndex = toolIndexes.count
            toolIndexes[index] = toolIndex
            return ChunkChoice(toolCalls: [ToolCallDelta(index: toolIndex, id: block?["id"]?.stringValue ?? "",
                                                         name: block?["name"]?.stringValue ?? "", arguments: "")])
        case "content_block_delta":
            let delta = event["delta"]
            switch delta?["type"]?.stringValue {
            case "text_delta":
                return ChunkChoice(content: delta?["text"]?.stringValue ?? "")
            case "input_json_delta":
                guard let index = event["index"]?.intValue, let toolIndex = toolIndexes[index],
                      let piece = delta?["partial_json"]?.stringValue, !piece.isEmpty else { return nil }
                return ChunkChoice(toolCalls: [ToolCallDelta(index: toolIndex, arguments: piece)])
            default:
                return nil  // thinking and signature deltas have no Chat Completions counterpart
            }
        case "message_delta":
            if let output = event["usage"]?["output_tokens"]?.intValue {
                outputTokens = output
                sawUsage = true
            }
            guard let reason = AnthropicTranslator.finishReason(event["delta"]?["stop_reason"]?.stringValue) else { return nil }
            return ChunkChoice(finishReason: reason)
        case "message_stop":
            isComplete = true
            return nil
        case "error":
            let error = event["error"]
            let status = error?["type"]?.stringValue == "overloaded_error" ? 529 : 500
            throw UpstreamErrorMapping.gatewayError(status: status, message: error?["message"]?.stringValue,
                                                    code: error?["type"]?.stringValue, providerName: stamp.providerName)
        default:
            return nil  // ping, and event types added later
        }
    }
}
