import Core

/// Translates Gemini's `alt=sse` stream (each event a whole GenerateContentResponse holding the next
/// piece of each candidate) into chat-completion chunks. A finish reason marks the end.
final class GeminiStreamDecoder: ChatStreamDecoder {
    private var reader = SSEJSONReader()
    private var stamp: StreamStamp
    private var startedCandidates: Set<Int> = []
    private var callCount = 0
    /// Per candidate, how many tool calls it has streamed (their delta indexes).
    private var toolCallsPerCandidate: [Int: Int] = [:]
    private(set) var usage: TokenUsage?
    private(set) var isComplete = false

    init(model: String, fallbackID: String, providerName: String) {
        stamp = StreamStamp(model: model, fallbackID: fallbackID, providerName: providerName)
    }

    func feed(_ bytes: UnsafeRawBufferPointer) throws(GatewayError) -> [ChatCompletionChunk] {
        var chunks: [ChatCompletionChunk] = []
        for event in try reader.feed(bytes, providerName: stamp.providerName) {
            if let error = event["error"] {
                throw UpstreamErrorMapping.gatewayError(status: error["code"]?.intValue ?? 500, message: error["message"]?.stringValue,
                                                        code: error["status"]?.stringValue?.lowercased(), providerName: stamp.providerName)
            }
            if let value = event["responseId"]?.stringValue { stamp.id = value }
            if let value = event["modelVersion"]?.stringValue { stamp.model = value }
            if let metadata = event["usageMetadata"], let found = GeminiTranslator.usage(metadata) { usage = found }
            let candidates = event["candidates"]?.arrayValue ?? []
            if candidates.isEmpty, event["promptFeedback"]?["blockReason"] != nil {
                isComplete = true
                chunks.append(stamp.chunk([ChunkChoice(role: .assistant, finishReason: .contentFilter)]))
                continue
            }
            var choices: [ChunkChoice] = []
            for (position, candidate) in candidates.enumerated() {
                let index = candidate["index"]?.intValue ?? position
                var count = callCount
                let (text, calls) = GeminiTranslator.read(candidate["content"]?["parts"]?.arrayValue ?? [], callCount: &count)
                callCount = count
                let firstCall = toolCallsPerCandidate[index] ?? 0
                toolCallsPerCandidate[index] = firstCall + calls.count
                let deltas = calls.enumerated().map { offset, call in
                    ToolCallDelta(index: firstCall + offset, id: call.id, name: call.name, arguments: call.arguments)
                }
                let reason = candidate["finishReason"]?.stringValue
                let finish = GeminiTranslator.finishReason(reason, hasCalls: (toolCallsPerCandidate[index] ?? 0) > 0)
                if finish != nil { isComplete = true }
                let isFirst = startedCandidates.insert(index).inserted
                if text.isEmpty && deltas.isEmpty && finish == nil && !isFirst { continue }
                choices.append(ChunkChoice(index: index, role: isFirst ? .assistant : nil, content: text.isEmpty && !isFirst ? nil : text,
                                           toolCalls: deltas, finishReason: finish))
            }
            if !choices.isEmpty { chunks.append(stamp.chunk(choices)) }
        }
        return chunks
    }

    func finish() throws(GatewayError) -> [ChatCompletionChunk] { [] }

}
