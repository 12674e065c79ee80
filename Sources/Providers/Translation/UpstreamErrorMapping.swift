import Core

/// How every adapter maps an upstream error status to the OpenAI error shape the client sees.
public enum UpstreamErrorMapping {
    /// Phrases providers use when the prompt exceeds the model's context window.
    static let contextPhrases = ["context length", "context window", "context_length", "prompt is too long", "too many tokens",
                                 "exceeds the maximum number of tokens", "maximum context",
                                 "input is too long"]

    /// The client-facing error for an upstream `status`, with the provider's own message and code when known.
    public static func gatewayError(status: Int, message: String?, code: String?, providerName: String) -> GatewayError {
        let detail = message.map { ": \(String($0.prefix(500)))" } ?? ""
        switch status {
        case 401, 403:
            return GatewayError(status: 502, type: "api_error", code: "provider_auth_failed",
                                message: "Provider '\(providerName)' rejected the gateway's credentials (HTTP \(status)).")
        case 429:
            return GatewayError(status: 429, type: "rate_limit_error", code: code ?? "rate_limit_exceeded",
                                message: "Provider '\(providerName)' is rate limiting requests\(detail)")
        case 400..<500 where isContextOverflow(message: message, code: code):
            return GatewayError(status: 400, type: "invalid_request_error", code: "context_length_exceeded",
                                message: "Provider '\(providerName)' rejected the request: the prompt exceeds the model's context window\(detail)")
        case 400..<500:
            return GatewayError(status: status == 404 ? 400 : status, type: "invalid_request_error", code: code,
                                message: "Provider '\(providerName)' rejected the request\(detail)")
        case 503, 529:
            return GatewayError(status: 503, type: "api_error", code: "provider_overloaded",
                                message: "Provider '\(providerName)' is overloaded (HTTP \(status))\(detail)")
        default:
            return GatewayError(status: 502, type: "api_error", code: "upstream_error",
                                message: "Provider '\(providerName)' failed with HTTP \(status)\(detail)")
        }
    }

    static func isContextOverflow(message: String?, code: String?) -> Bool {
        if code == "context_length_exceeded" { return true }
        guard let text = message?.lowercased() else { return false }
        return contextPhrases.contains { text.contains($0) }
    }
}
