import Core

/// Translates ConverseStream's event-stream messages (`messageStart`, `contentBlockStart|Delta|Stop`,
/// `messageStop`, `metadata` with usage; exceptions as `:message-type: exception`) into chunks.
final class BedrockStreamDecoder: ChatStreamDecoder {
    private var framing = AWSEventStream.Decoder()
    private var stamp: StreamStamp
    /// Content block index → tool-call index, for toolUse blocks.
    private var toolIndexes: [Int: Int] = [:]
    private var stopped = false
    private(set) var usage: TokenUsage?
    /// Complete once both the stop reason and the closing metadata (usage) arrived.
    var isComplete: Bool { stopped && usage != nil }

    init(model: String, fallbackID: String, providerName: String) {
        stamp = StreamStamp(model: model, fallbackID: fallbackID, providerName: providerName)
    }

    func feed(_ bytes: UnsafeRawBufferPointer) throws(GatewayError) -> [ChatCompletionChunk] {
        let messages: [AWSEventStream.Message]
        do {
            messages = try framing.feed(bytes)
        } catch {
            throw StreamFailure.malformed("the event-stream framing is invalid (\(error))", provider: stamp.providerName)
        }
        var chunks: [ChatCompletionChunk] = []
        for message in messages {
            guard let payload = try? JSONParser.parse(message.payload) else {
                throw StreamFailure.malformed("an event's payload is not JSON", provider: stamp.providerName)
            }
            if message.headers[":message-type"] == "exception" || message.headers[":message-type"] == "error" {
                throw Self.exception(message.headers[":exception-type"] ?? message.headers[":error-code"], payload: payload, providerName: stamp.providerName)
            }
            if let choice = translate(message.headers[":event-type"], payload) {
                chunks.append(stamp.chunk([choice]))
            }
        }
        return chunks
    }

    func finish() throws(GatewayError) -> [ChatCompletionChunk] { [] }

    private func translate(_ type: String?, _ event: JSONValue) -> ChunkChoice? {
        switch type {
        case "messageStart":
            return ChunkChoice(role: .assistant, content: "")
        case "contentBlockStart":
            guard let use = event["start"]?["toolUse"], let block = event["contentBlockIndex"]?.intValue else { return nil }
            let toolIndex = toolIndexes.count
            toolIndexes[block] = toolIndex
            return ChunkChoice(toolCalls: [ToolCallDelta(index: toolIndex, id: use["toolUseId"]?.stringValue ?? "call_\(toolIndex + 1)",
                                                         name: use["name"]?.stringValue ?? "", arguments: "")])
        case "contentBlockDelta":
            let delta = event["delta"]
            if let text = delta?["text"]?.stringValue { return text.isEmpty ? nil : ChunkChoice(content: text) }
            guard let piece = delta?["toolUse"]?["input"]?.stringValue, !piece.isEmpty,
                  let block = event["contentBlockIndex"]?.intValue, let toolIndex = toolIndexes[block] else { return nil }
            return ChunkChoice(toolCalls: [ToolCallDelta(index: toolIndex, arguments: piece)])
        case "messageStop":
            stopped = true
            return ChunkChoice(finishReason: BedrockTranslator.finishReason(event["stopReason"]?.stringValue) ?? .stop)
        case "metadata":
            usage = event["usage"].flatMap(BedrockTranslator.usage) ?? TokenUsage(inputTokens: 0, outputTokens: 0)
            return nil
        default:
            return nil  // contentBlockStop, reasoning deltas, and event types added later
        }
    }

    /// A mid-stream exception with the status its name implies.
    static func exception(_ name: String?, payload: JSONValue, providerName: String) -> GatewayError {
        let status: Int
        switch name {
        case "throttlingException"?: status = 429
        case "validationException"?: status = 400
        case "serviceUnavailableException"?, "modelNotReadyException"?: status = 503
        case "accessDeniedException"?: status = 403
        default: status = 500
        }
        return UpstreamErrorMapping.gatewayError(status: status, message: (payload["message"] ?? payload["Message"])?.stringValue,
                                                 code: name, providerName: providerName)
    }
}
