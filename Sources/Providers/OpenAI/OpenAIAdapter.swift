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

/// Translates to and from the OpenAI Chat Completions wire format (OpenAI, Azure OpenAI and the compatible vendors).
public enum OpenAIAdapter {
    /// The Azure OpenAI GA API version used when the provider's `settings.api_version` is not set.
    static let azureDefaultAPIVersion = "2024-10-21"

    /// The upstream request for `request` on `provider`, with the model renamed to `upstreamModel`.
    /// Asks for stream usage when the vendor supports it so every stream's tokens are known; returns
    /// whether it added that request (the relay then hides the extra usage chunk from the client).
    public static func wireRequest(_ request: ChatRequest, provider: ProviderConfig, upstreamModel: String) -> (WireRequest, addedUsageChunk: Bool) {
        var changes: [(key: String, value: JSONValue)] = []
        if upstreamModel != request.model { changes.append(("model", .string(upstreamModel))) }
        var addedUsage = false
        if request.stream && !request.includeUsage && OpenAIQuirks.of(provider.kind).supportsStreamUsage {
            let options = request.scan.value("stream_options").flatMap { $0.objectValue != nil ? $0 : nil }
            changes.append(("stream_options", options?.setting("include_usage", to: .bool(true)) ?? includeUsageOptions))
            addedUsage = true
        }
        // Forward the client's bytes; splice only what must change.
        let body = changes.isEmpty ? request.scan.bytes : request.scan.setting(changes)
        return (endpoint(provider: provider, upstreamModel: upstreamModel, stream: request.stream, body: body), addedUsage)
    }

    /// The `stream_options` asked for when the client sent none (made once: most streams need it).
    static let includeUsageOptions = JSONValue.object([("include_usage", .bool(true))])

    /// The chat-completions URL and headers for `provider` around `body`.
    static func endpoint(provider: ProviderConfig, upstreamModel: String, stream: Bool, body: [UInt8]) -> WireRequest {
        var headers = HTTPHeaders("content-type", "application/json")
        headers.add("accept", stream ? "text/event-stream" : "application/json")
        let url: String
        if provider.kind == .azureOpenAI {
            // Azure names the deployment in the path and authenticates with `api-key`.
            if let key = provider.apiKey { headers.add("api-key", key) }
            url = provider.trimmedBaseURL + "/openai/deployments/" + PercentEncoding.pathSegment(upstreamModel)
                + "/chat/completions?api-version=" + (provider.apiVersion ?? azureDefaultAPIVersion)
        } else {
            if let key = provider.apiKey { headers.add("authorization", "Bearer \(key)") }
            url = provider.trimmedBaseURL + "/chat/completions"
        }
        return WireRequest(url: url, headers: headers, body: body)
    }

    /// A cheap pre-check before parsing a stream event for usage: it mentions a `"usage"` object
    /// (not `"usage":null`, which OpenAI sends on every chunk once usage is asked for).
    public static func mayCarryUsage(_ bytes: UnsafeRawBufferPointer) -> Bool { firstUsageObjectKey(in: bytes) != nil }

    /// Where the first `"usage"` key at or after `from` that is followed by an object lies (at any depth).
    public static func firstUsageObjectKey(in bytes: UnsafeRawBufferPointer, from: Int = 0) -> Int? {
        var offset = from
        while let hit = ByteSearch.firstOffset(of: usageKey, anchor: 4, in: bytes, from: offset) {  // its `g`
            if usageObjectStart(in: bytes, keyAt: hit) != nil { return hit }
            offset = hit + 1
        }
        return nil
    }

    /// Token usage from the `usage` object of a response or stream event, parsed or scanned (DeepSeek reports its
    /// cache hits as `prompt_cache_hit_tokens`).
    /// Inlinable, so each caller gets it specialised to the document it reads (through the protocol's witness table it
    /// cost a third more).
    @inlinable
    public static func usage(in document: some JSONFieldReading) -> TokenUsage? {
        guard let usage = document.object("usage") else { return nil }
        return TokenUsage(inputTokens: usage.int("prompt_tokens") ?? 0, outputTokens: usage.int("completion_tokens") ?? 0,
                          cachedInputTokens: usage.object("prompt_tokens_details")?.int("cached_tokens")
                              ?? usage.int("prompt_cache_hit_tokens") ?? 0,
                          reasoningTokens: usage.object("completion_tokens_details")?.int("reasoning_tokens") ?? 0)
    }

    static let usageKey: StaticString = "\"usage\""

    /// Where the object begins when the `"usage"` at `index` is followed by `:` and an object.
    static func usageObjectStart(in bytes: UnsafeRawBufferPointer, keyAt index: Int) -> Int? {
        var next = index + usageKey.utf8CodeUnitCount
        while next < bytes.count, bytes[next] == 0x20 || bytes[next] == UInt8(ascii: ":") { next += 1 }
        return next < bytes.count && bytes[next] == UInt8(ascii: "{") ? next : nil
    }

    /// A non-streamed OpenAI-format answer checked before it is forwarded as it came: one whole, valid JSON
    /// object (syntax and UTF-8), and not an error reported with status 200. Returns the body unchanged and
    /// its token usage (the top-level `usage` object, read from the same scan).
    public static func checkedAnswer(_ body: [UInt8], providerName: String) throws(GatewayError) -> (body: [UInt8], usage: TokenUsage?) {
        let scan: JSONObjectScan
        do {
            scan = try JSONObjectScan(body)
        } catch {
            throw GatewayError(status: 502, type: "api_error", code: "upstream_response_invalid",
                               message: "Provider '\(providerName)' sent a response that is not a valid JSON object: \(error).")
        }
        if scan.range(of: "choices") == nil && scan.range(of: "data") == nil, let reported = scan.value("error"), !reported.isNull {
            let message = reported["message"]?.stringValue ?? reported.stringValue ?? "no message"
            throw GatewayError(status: 502, type: "api_error", code: "upstream_error",
                               message: "Provider '\(providerName)' answered HTTP 200 with an error: \(String(message.prefix(500))).")
        }
        return (body, usage(in: scan))
    }

    /// The client-facing error for an upstream error response; never echoes the raw body.
    public static func error(status: Int, body: [UInt8], providerName: String) -> GatewayError {
        OpenAITranslator().error(status: status, body: body, providerName: providerName)
    }
}
