import Core
import HTTPKit

/// Differences between vendors that share the OpenAI Chat Completions wire format.
public struct OpenAIQuirks: Sendable {
    /// Whether the vendor understands `stream_options.include_usage`.
    public var supportsStreamUsage: Bool

    /// The quirks of `kind`.
    public static func of(_ kind: ProviderKind) -> OpenAIQuirks {
        switch kind {
        case .mistral, .localai: return OpenAIQuirks(supportsStreamUsage: false)
        default: return OpenAIQuirks(supportsStreamUsage: true)
        }
    }
}

/// A request ready for the upstream client.
public struct WireRequest: Sendable {
    public var url: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
}

/// Translates to and from the OpenAI Chat Completions wire format (OpenAI and the compatible vendors).
public enum OpenAIAdapter {
    /// The upstream request for `request` on `provider`, with the model renamed to `upstreamModel`.
    /// Asks for stream usage when the vendor supports it so every stream's tokens are known; returns
    /// whether it added that request (the relay then hides the extra usage chunk from the client).
    public static func wireRequest(_ request: ChatRequest, rawBody: [UInt8], provider: ProviderConfig,
                                   upstreamModel: String) -> (WireRequest, addedUsageChunk: Bool) {
        var document = request.document
        var rewritten = false
        if upstreamModel != request.model {
            document = document.setting("model", to: .string(upstreamModel))
            rewritten = true
        }
        var addedUsage = false
        if request.stream && !request.includeUsage && OpenAIQuirks.of(provider.kind).supportsStreamUsage {
            let options = (document["stream_options"] ?? .object([])).setting("include_usage", to: .bool(true))
            document = document.setting("stream_options", to: options)
            rewritten = true
            addedUsage = true
        }
        var headers = HTTPHeaders([("content-type", "application/json")])
        headers.add("accept", request.stream ? "text/event-stream" : "application/json")
        if let key = provider.apiKey { headers.add("authorization", "Bearer \(key)") }
        let base = provider.baseURL.hasSuffix("/") ? String(provider.baseURL.dropLast()) : provider.baseURL
        let wire = WireRequest(url: base + "/chat/completions", headers: headers, body: rewritten ? JSONWriter.encode(document) : rawBody)
        return (wire, addedUsage)
    }

    /// Token usage from a response or stream chunk's `usage` object.
    public static func usage(in document: JSONValue) -> TokenUsage? {
        guard let usage = document["usage"], case .object = usage else { return nil }
        return TokenUsage(inputTokens: usage["prompt_tokens"]?.intValue ?? 0, outputTokens: usage["completion_tokens"]?.intValue ?? 0,
                          cachedInputTokens: usage["prompt_tokens_details"]?["cached_tokens"]?.intValue ?? 0)
    }

    /// True for the usage-only chunk that ends a stream when usage was requested (empty `choices`).
    public static func isUsageOnlyChunk(_ document: JSONValue) -> Bool {
        document["usage"] != nil && (document["choices"]?.arrayValue?.isEmpty ?? false)
    }

    /// The client-facing error for an upstream error response; never echoes the raw body.
    public static func error(status: Int, body: [UInt8], providerName: String) -> GatewayError {
        let document = try? JSONParser.parse(body)
        let upstreamMessage = document?["error"]?["message"]?.stringValue ?? document?["message"]?.stringValue
        let upstreamCode = document?["error"]?["code"]?.stringValue
        let detail = upstreamMessage.map { ": \(String($0.prefix(500)))" } ?? ""
        switch status {
        case 401, 403:
            return GatewayError(status: 502, type: "api_error", code: "provider_auth_failed",
                                message: "Provider '\(providerName)' rejected the gateway's credentials (HTTP \(status)).")
        case 429:
            return GatewayError(status: 429, type: "rate_limit_error", code: upstreamCode ?? "rate_limit_exceeded",
                                message: "Provider '\(providerName)' is rate limiting requests\(detail)")
        case 400..<500:
            return GatewayError(status: status == 404 ? 400 : status, type: "invalid_request_error", code: upstreamCode,
                                message: "Provider '\(providerName)' rejected the request\(detail)")
        default:
            return GatewayError(status: 502, type: "api_error", code: "upstream_error",
                                message: "Provider '\(providerName)' failed with HTTP \(status)\(detail)")
        }
    }
}
