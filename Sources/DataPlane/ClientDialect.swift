import Core
import HTTPKit
import Providers

/// The API a client speaks: OpenAI Chat Completions (`/v1/chat/completions`) or Anthropic Messages
/// (`/v1/messages`). Decides the shape of completions, stream events and errors sent back.
enum ClientDialect: Sendable {
    case openAI, anthropic

    func errorResponse(_ error: GatewayError, headers: HTTPHeaders) -> HTTPResponse {
        var headers = headers
        if let seconds = error.retryAfterSeconds, headers["retry-after"] == nil { headers.add("retry-after", String(seconds)) }
        switch self {
        case .openAI: return .gatewayError(error, headers: headers)
        case .anthropic: return .json(error.status, AnthropicIngress.errorJSON(error), headers: headers)
        }
    }

    func completionBody(_ completion: ChatCompletion) -> [UInt8] {
        switch self {
        case .openAI: return JSONWriter.encode(completion.json)
        case .anthropic: return JSONWriter.encode(AnthropicIngress.message(from: completion, model: completion.model))
        }
    }

    /// A writer for one client stream; `includeUsage` adds OpenAI's final usage chunk.
    func streamWriter(id: String, model: String, created: Int, includeUsage: Bool) -> any ClientStreamWriter {
        switch self {
        case .openAI: return OpenAIStreamWriter(id: id, model: model, created: created, includeUsage: includeUsage)
        case .anthropic: return AnthropicStreamEncoder(id: id, model: model)
        }
    }
}

/// Encodes one client stream from canonical chunks: the chunks, a successful end with its usage, or an error end.
protocol ClientStreamWriter: AnyObject {
    func encode(_ chunks: [ChatCompletionChunk]) -> [UInt8]
    func finish(usage: TokenUsage?) -> [UInt8]
    func fail(_ error: GatewayError) -> [UInt8]
}

extension AnthropicStreamEncoder: ClientStreamWriter {}

/// OpenAI's stream: each chunk a `data:` event, the usage chunk when asked for, then `[DONE]`; an error
/// is a last event holding the OpenAI error object.
final class OpenAIStreamWriter: ClientStreamWriter {
    let id: String
    let model: String
    let created: Int
    let includeUsage: Bool

    init(id: String, model: String, created: Int, includeUsage: Bool) {
        self.id = id
        self.model = model
        self.created = created
        self.includeUsage = includeUsage
    }

    func encode(_ chunks: [ChatCompletionChunk]) -> [UInt8] {
        var out: [UInt8] = []
        for chunk in chunks { SSEEvent(data: JSONWriter.string(chunk.json)).encode(into: &out) }
        return out
    }

    func finish(usage: TokenUsage?) -> [UInt8] {
        var out: [UInt8] = []
        if includeUsage, let usage {
            out = encode([ChatCompletionChunk(id: id, model: model, created: created, choices: [], usage: usage)])
        }
        SSEEvent(data: "[DONE]").encode(into: &out)
        return out
    }

    func fail(_ error: GatewayError) -> [UInt8] { SSEEvent(data: JSONWriter.string(error.json)).encoded }
}
