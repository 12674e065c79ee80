import Core
import HTTPKit

/// A provider's embeddings API other than OpenAI's: the canonical request in, vectors out. Error bodies
/// are read by the provider's chat translator (one error shape per provider).
public protocol EmbeddingsTranslator: Sendable {
    func wireRequest(_ request: EmbeddingsRequest, provider: ProviderConfig, upstreamModel: String) throws(GatewayError) -> WireRequest
    func result(from body: [UInt8], providerName: String) throws(GatewayError) -> EmbeddingsResult
}

/// How `kind` serves embeddings: as sent (OpenAI format), translated, or not at all.
public enum EmbeddingsSupport {
    case openAIFormat
    case translated(any EmbeddingsTranslator)
    case unsupported

    public static func of(_ kind: ProviderKind) -> EmbeddingsSupport {
        switch kind {
        case .gemini: return .translated(GeminiEmbeddings())
        case .cohere: return .translated(CohereEmbeddings())
        case .ollama: return .translated(OllamaEmbeddings())
        case .bedrock: return .translated(BedrockEmbeddings())
        case .anthropic: return .unsupported
        default: return kind.speaksOpenAIWire ? .openAIFormat : .unsupported
        }
    }
}

extension OpenAIAdapter {
    /// The embeddings URL and headers for an OpenAI-format provider (Azure: the deployment's URL).
    public static func embeddingsRequest(_ scan: JSONObjectScan, provider: ProviderConfig, upstreamModel: String) -> WireRequest {
        var headers = HTTPHeaders("content-type", "application/json")
        let url: String
        if provider.kind == .azureOpenAI {
            if let key = provider.apiKey { headers.add("api-key", key) }
            url = provider.trimmedBaseURL + "/openai/deployments/" + PercentEncoding.pathSegment(upstreamModel)
                + "/embeddings?api-version=" + (provider.apiVersion ?? azureDefaultAPIVersion)
        } else {
            if let key = provider.apiKey { headers.add("authorization", "Bearer \(key)") }
            url = provider.trimmedBaseURL + "/embeddings"
        }
        let body = scan.value("model")?.stringValue == upstreamModel ? scan.bytes : scan.setting([("model", .string(upstreamModel))])
        return WireRequest(url: url, headers: headers, body: body)
    }
}

/// Reads a JSON array of numbers as a vector; nil when any item is not a number.
func vector(_ value: JSONValue?) -> [Double]? {
    guard let items = value?.arrayValue else { return nil }
    var out: [Double] = []
    out.reserveCapacity(items.count)
    for item in items {
        guard let number = item.doubleValue else { return nil }
        out.append(number)
    }
    return out
}

func malformedEmbeddings(_ providerName: String) -> GatewayError {
    StreamFailure.malformed("the embeddings response has no vectors", provider: providerName)
}
