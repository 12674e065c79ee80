import Core
import HTTPKit

/// The OpenAI wire format as a translator, for clients that do not speak it (the Anthropic Messages
/// ingress): the canonical request re-encoded, answers and streams decoded into canonical values.
/// OpenAI-format clients bypass it: their bodies are forwarded as sent.
public struct OpenAITranslator: ChatTranslator {
    public init() {}

    public func wireRequest(_ request: ChatCompletionRequest, provider: ProviderConfig, upstreamModel: String) throws(GatewayError) -> WireRequest {
        var body = request.openAIJSON(model: upstreamModel)
        if request.stream && !OpenAIQuirks.of(provider.kind).supportsStreamUsage, case .object(let fields) = body {
            body = .object(fields.filter { $0.0 != "stream_options" })
        }
        return OpenAIAdapter.endpoint(provider: provider, upstreamModel: upstreamModel, stream: request.stream, body: JSONWriter.encode(body))
    }

    public func completion(from body: [UInt8], model: String, fallbackID: String, providerName: String) throws(GatewayError) -> ChatCompletion {
        guard let response = try? JSONParser.parse(body), let choices = response["choices"]?.arrayValue else {
            throw StreamFailure.malformed("the response is not a chat.completion", provider: providerName)
        }
        return ChatCompletion(id: response["id"]?.stringValue ?? fallbackID, model: response["model"]?.stringValue ?? model,
                              created: response["created"]?.intValue ?? Int(Timestamp.nowMillis() / 1000),
                              choices: choices.enumerated().map { position, choice in
                                  let message = choice["message"]
                                  return ChatChoice(index: choice["index"]?.intValue ?? position, text: message?["content"]?.stringValue,
                                                    toolCalls: (message?["tool_calls"]?.arrayValue ?? []).map(Self.toolCall),
                                                    finishReason: Self.finishReason(choice["finish_reason"]?.stringValue))
                              },
                              usage: OpenAIAdapter.usage(in: response))
    }

    static func toolCall(_ call: JSONValue) -> ToolCall {
        ToolCall(id: call["id"]?.stringValue ?? "", name: call["function"]?["name"]?.stringValue ?? "",
                 arguments: call["function"]?["arguments"]?.stringValue ?? "")
    }

    static func finishReason(_ reason: String?) -> FinishReason? {
        reason == "function_call" ? .toolCalls : reason.flatMap(FinishReason.init(rawValue:))
    }

    public func streamDecoder(model: String, fallbackID: String, providerName: String) -> any ChatStreamDecoder {
        OpenAIStreamDecoder(providerName: providerName)
    }

    public func errorDetail(in body: [UInt8]) -> (message: String?, code: String?) {
        let document = try? JSONParser.parse(body)
        return (document?["error"]?["message"]?.stringValue ?? document?["message"]?.stringValue, document?["error"]?["code"]?.stringValue)
    }
}

/// Decodes an OpenAI `chat.completion.chunk` stream into canonical chunks; `[DONE]` ends it.
final class OpenAIStreamDecoder: ChatStreamDecoder {
    private var splitter = SSEEventSplitter()
    private let providerName: String
    private(set) var usage: TokenUsage?
    private(set) var isComplete = false

    init(providerName: String) { self.providerName = providerName }

    func feed(_ bytes: UnsafeRawBufferPointer) throws(GatewayError) -> [ChatCompletionChunk] {
        var payloads: [[UInt8]] = []
        do {
            try splitter.feed(bytes) { event in
                if SSEPayload.isDone(event) { isComplete = true } else { payloads.append(SSEPayload.data(of: event)) }
            }
        } catch {
            throw StreamFailure.malformed("an event exceeded \(splitter.maxEventBytes) bytes", provider: providerName)
        }
        var chunks: [ChatCompletionChunk] = []
        for payload in payloads where !payload.isEmpty {
            guard let event = try? JSONParser.parse(payload) else { throw StreamFailure.malformed("an event's data is not JSON", provider: providerName) }
            if let error = event["error"] {
                throw UpstreamErrorMapping.gatewayError(status: 500, message: error["message"]?.stringValue, code: error["code"]?.stringValue,
                                                        providerName: providerName)
            }
            if let found = OpenAIAdapter.usage(in: event) { usage = found }
            let choices = (event["choices"]?.arrayValue ?? []).enumerated().map { position, choice in
                let delta = choice["delta"]
                return ChunkChoice(index: choice["index"]?.intValue ?? position, role: delta?["role"]?.stringValue.flatMap(ChatRole.init(rawValue:)),
                                   content: delta?["content"]?.stringValue,
                                   toolCalls: (delta?["tool_calls"]?.arrayValue ?? []).enumerated().map { offset, call in
                                       ToolCallDelta(index: call["index"]?.intValue ?? offset, id: call["id"]?.stringValue,
                                                     name: call["function"]?["name"]?.stringValue, arguments: call["function"]?["arguments"]?.stringValue)
                                   },
                                   finishReason: OpenAITranslator.finishReason(choice["finish_reason"]?.stringValue))
            }
            guard !choices.isEmpty else { continue }
            chunks.append(ChatCompletionChunk(id: event["id"]?.stringValue ?? "", model: event["model"]?.stringValue ?? "",
                                              created: event["created"]?.intValue ?? 0, choices: choices))
        }
        return chunks
    }

    func finish() throws(GatewayError) -> [ChatCompletionChunk] { [] }
}
