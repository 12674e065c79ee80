import Core

/// Translates Cohere v2's typed stream (`message-start`, `content-delta`, `tool-call-start|delta|end`,
/// `tool-plan-delta`, `message-end` carrying the finish reason and usage) into chat-completion chunks.
final class CohereStreamDecoder: ChatStreamDecoder {
    private var reader = SSEJSONReader()
    private var stamp: StreamStamp
    /// The tool call being streamed (its delta index).
    private var toolIndex = -1
    private(set) var usage: TokenUsage?
    private(set) var isComplete = false

    init(model: String, fallbackID: String, providerName: String) {
        stamp = StreamStamp(model: model, fallbackID: fallbackID, providerName: providerName)
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
        let message = event["delta"]?["message"]
        switch event["type"]?.stringValue {
        case "message-start":
            if let value = event["id"]?.stringValue { stamp.id = value }
            return ChunkChoice(role: .assistant, content: "")
        case "content-delta":
            guard let text = message?["content"]?["text"]?.stringValue, !text.isEmpty else { return nil }
            return ChunkChoice(content: text)
        case "tool-call-start":
            let call = message?["tool_calls"]
            toolIndex += 1
            return ChunkChoice(toolCalls: [ToolCallDelta(index: toolIndex, id: call?["id"]?.stringValue ?? "call_\(toolIndex + 1)",
                                                         name: call?["function"]?["name"]?.stringValue ?? "",
                                                         arguments: call?["function"]?["arguments"]?.stringValue ?? "")])
        case "tool-call-delta":
            guard toolIndex >= 0, let piece = message?["tool_calls"]?["function"]?["arguments"]?.stringValue, !piece.isEmpty else { return nil }
            return ChunkChoice(toolCalls: [ToolCallDelta(index: toolIndex, arguments: piece)])
        case "message-end":
            let delta = event["delta"]
            let reason = delta?["finish_reason"]?.stringValue
            if let found = delta?["usage"].flatMap(CohereTranslator.usage) { usage = found }
            if reason == "ERROR" { throw CohereTranslator.generationError(stamp.providerName) }
            isComplete = true
            return ChunkChoice(finishReason: CohereTranslator.finishReason(reason) ?? .stop)
        default:
            return nil  // content-start/end, tool-plan-delta, tool-call-end, citations, debug
        }
    }
}
