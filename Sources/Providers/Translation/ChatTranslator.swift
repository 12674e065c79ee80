import Core
import HTTPKit

/// A provider wire format other than OpenAI's: turns the canonical request into the provider's request,
/// and its answers (whole, streamed, or errors) back into the canonical OpenAI shapes.
public protocol ChatTranslator: Sendable {
    /// The upstream request for `request` sent to `upstreamModel` on `provider`.
    func wireRequest(_ request: ChatCompletionRequest, provider: ProviderConfig, upstreamModel: String) throws(GatewayError) -> WireRequest
    /// A successful non-streamed response body as a completion; `fallbackID` names it when the provider gives no id.
    func completion(from body: [UInt8], model: String, fallbackID: String, providerName: String) throws(GatewayError) -> ChatCompletion
    /// A decoder for one streamed response.
    func streamDecoder(model: String, fallbackID: String, providerName: String) -> any ChatStreamDecoder
    /// The message and code of an error response, when the body is in the provider's error shape.
    func errorDetail(in body: [UInt8]) -> (message: String?, code: String?)
    /// The client-facing error for an upstream error response; never echoes the raw body.
    func error(status: Int, body: [UInt8], providerName: String) -> GatewayError
}

/// Turns one upstream stream into canonical chunks, as bytes arrive in arbitrary pieces.
public protocol ChatStreamDecoder: AnyObject {
    /// Consumes bytes and returns the chunks they complete; throws when the stream is malformed or
    /// reports an error mid-way.
    func feed(_ bytes: UnsafeRawBufferPointer) throws(GatewayError) -> [ChatCompletionChunk]
    /// The upstream ended; returns any chunks still held.
    func finish() throws(GatewayError) -> [ChatCompletionChunk]
    /// True once the provider's own end-of-stream marker arrived (a stream without it was cut short).
    var isComplete: Bool { get }
    /// The usage reported so far.
    var usage: TokenUsage? { get }
}

extension ChatTranslator {
    /// The client-facing error for an upstream error response; never echoes the raw body.
    public func error(status: Int, body: [UInt8], providerName: String) -> GatewayError {
        let detail = errorDetail(in: body)
        return UpstreamErrorMapping.gatewayError(status: status, message: detail.message, code: detail.code, providerName: providerName)
    }
}

/// The translator for a provider kind, or nil for kinds that speak the OpenAI wire format.
public func chatTranslator(for kind: ProviderKind) -> (any ChatTranslator)? {
    switch kind {
    case .anthropic: return AnthropicTranslator()
    case .gemini: return GeminiTranslator()
    case .cohere: return CohereTranslator()
    case .ollama: return OllamaTranslator()
    case .bedrock: return BedrockTranslator()
    default: return nil
    }
}

/// What every chunk of one translated stream carries: its id and model (the provider may name them once
/// the stream starts) and its creation time; plus the provider's name for errors.
struct StreamStamp {
    var id: String
    var model: String
    let created = Int(Timestamp.nowMillis() / 1000)
    let providerName: String

    init(model: String, fallbackID: String, providerName: String) {
        self.id = fallbackID
        self.model = model
        self.providerName = providerName
    }

    func chunk(_ choices: [ChunkChoice]) -> ChatCompletionChunk {
        ChatCompletionChunk(id: id, model: model, created: created, choices: choices)
    }
}
