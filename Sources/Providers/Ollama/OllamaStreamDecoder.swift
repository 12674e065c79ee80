import Core

/// Translates Ollama's NDJSON chat stream (each line a partial message; the last has `done: true`,
/// `done_reason` and the token counts; `{"error": ...}` mid-stream) into chat-completion chunks.
final class OllamaStreamDecoder: ChatStreamDecoder {
    private var reader = NDJSONReader()
    private var stamp: StreamStamp
    private var started = false
    private var callCount = 0
    private(set) var usage: TokenUsage?
    private(set) var isComplete = false

    init(model: String, fallbackID: String, providerName: String) {
        stamp = StreamStamp(model: model, fallbackID: fallbackID, providerName: providerName)
    }

    func feed(_ bytes: UnsafeRawBufferPointer) throws(GatewayError) -> [ChatCompletionChunk] {
        var chunks: [ChatCompletionChunk] = []
        for line in try reader.feed(bytes, providerName: stamp.providerName) {
            chunks += try translate(line)
        }
        return chunks
    }

    func finish() throws(GatewayError) -> [ChatCompletionChunk] {
        guard let line = try reader.finish(providerName: stamp.providerName) else { return [] }
        return try translate(line)
    }

    private func translate(_ line: JSONValue) throws(GatewayError) -> [ChatCompletionChunk] {
        if let message = line["error"]?.stringValue {
            throw UpstreamErrorMapping.gatewayError(status: 500, message: message, code: nil, providerName: stamp.providerName)
        }
        if let value = line["model"]?.stringValue { stamp.model = value }
        let message = line["message"]
        let text = message?["content"]?.stringValue ?? ""
        let firstCall = callCount
        let calls = message.map { OllamaTranslator.toolCalls($0, callCount: &callCount) } ?? []
        let deltas = calls.enumerated().map { offset, call in
            ToolCallDelta(index: firstCall + offset, id: call.id, name: call.name, arguments: call.arguments)
        }
        var chunks: [ChatCompletionChunk] = []
        if !started || !text.isEmpty || !deltas.isEmpty {
            chunks.append(stamp.chunk([ChunkChoice(role: started ? nil : .assistant, content: text.isEmpty && started ? nil : text, toolCalls: deltas)]))
            started = true
        }
        if line["done"]?.boolValue == true {
            isComplete = true
            usage = OllamaTranslator.usage(line)
            chunks.append(stamp.chunk([ChunkChoice(finishReason: OllamaTranslator.finishReason(line["done_reason"]?.stringValue,
                                                                                           hasCalls: callCount > 0))]))
        }
        return chunks
    }

}
