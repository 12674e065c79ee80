import Core
import HTTPKit

/// Re-encodes canonical chunks as Anthropic's event stream for `/v1/messages` clients: `message_start`,
/// one content block per text run or tool call (`content_block_start|delta|stop`), then `message_delta`
/// with the stop reason and usage, and `message_stop`. Only the first choice is carried (Anthropic has one).
public final class AnthropicStreamEncoder {
    private let id: String
    private let model: String
    private var started = false
    /// The open content block: its index, and the tool-call index when it is a tool_use block.
    private var openBlock: (index: Int, toolIndex: Int?)?
    private var nextBlock = 0
    private var stopReason: String?

    public init(id: String, model: String) {
        self.id = id
        self.model = model
    }

    /// The events for `chunks`, already SSE-encoded.
    public func encode(_ chunks: [ChatCompletionChunk]) -> [UInt8] {
        var out: [UInt8] = []
        for chunk in chunks {
            for choice in chunk.choices where choice.index == 0 {
                start(into: &out)
                if let text = choice.content, !text.isEmpty {
                    if openBlock == nil || openBlock?.toolIndex != nil {
                        openNewBlock(.object([("type", .string("text")), ("text", .string(""))]), toolIndex: nil, into: &out)
                    }
                    emit("content_block_delta", [("index", .int(openBlock!.index)),
                                                 ("delta", .object([("type", .string("text_delta")), ("text", .string(text))]))], into: &out)
                }
                for call in choice.toolCalls {
                    if openBlock?.toolIndex != call.index {
                        openNewBlock(.object([("type", .string("tool_use")), ("id", .string(call.id ?? "toolu_\(call.index)")),
                                              ("name", .string(call.name ?? "")), ("input", .object([]))]), toolIndex: call.index, into: &out)
                    }
                    if let piece = call.arguments, !piece.isEmpty {
                        emit("content_block_delta", [("index", .int(openBlock!.index)),
                                                     ("delta", .object([("type", .string("input_json_delta")), ("partial_json", .string(piece))]))],
                             into: &out)
                    }
                }
                if let reason = choice.finishReason { stopReason = AnthropicIngress.stopReason(reason) }
            }
        }
        return out
    }

    /// The closing events: the open block's stop, the stop reason with the usage, `message_stop`.
    public func finish(usage: TokenUsage?) -> [UInt8] {
        var out: [UInt8] = []
        start(into: &out)
        closeBlock(into: &out)
        emit("message_delta", [("delta", .object([("stop_reason", .string(stopReason ?? "end_turn")), ("stop_sequence", .null)])),
                               ("usage", AnthropicIngress.usage(usage ?? TokenUsage(inputTokens: 0, outputTokens: 0)))], into: &out)
        emit("message_stop", [], into: &out)
        return out
    }

    /// An `error` event ending the stream early.
    public func fail(_ error: GatewayError) -> [UInt8] {
        SSEEvent(event: "error", data: JSONWriter.string(AnthropicIngress.errorJSON(error))).encoded
    }

    private func start(into out: inout [UInt8]) {
        guard !started else { return }
        started = true
        emit("message_start", [("message", .object([
            ("id", .string(id)), ("type", .string("message")), ("role", .string("assistant")), ("model", .string(model)),
            ("content", .array([])), ("stop_reason", .null), ("stop_sequence", .null),
            ("usage", AnthropicIngress.usage(TokenUsage(inputTokens: 0, outputTokens: 0))),
        ]))], into: &out)
    }

    private func openNewBlock(_ block: JSONValue, toolIndex: Int?, into out: inout [UInt8]) {
        closeBlock(into: &out)
        openBlock = (nextBlock, toolIndex)
        emit("content_block_start", [("index", .int(nextBlock)), ("content_block", block)], into: &out)
        nextBlock += 1
    }

    private func closeBlock(into out: inout [UInt8]) {
        guard let block = openBlock else { return }
        emit("content_block_stop", [("index", .int(block.index))], into: &out)
        openBlock = nil
    }

    private func emit(_ type: String, _ fields: [(String, JSONValue)], into out: inout [UInt8]) {
        SSEEvent(event: type, data: JSONWriter.string(.object([("type", .string(type))] + fields))).encode(into: &out)
    }
}
