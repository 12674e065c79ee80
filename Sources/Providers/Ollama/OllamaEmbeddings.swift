import Core
import HTTPKit

/// Ollama `POST /api/embed`: `input` as a list, `dimensions`; vectors in `embeddings`, tokens in `prompt_eval_count`.
struct OllamaEmbeddings: EmbeddingsTranslator {
    func wireRequest(_ request: EmbeddingsRequest, provider: ProviderConfig, upstreamModel: String) throws(GatewayError) -> WireRequest {
        var body: [(String, JSONValue)] = [("model", .string(upstreamModel)), ("input", .array(request.inputs.map { .string($0) }))]
        if let dimensions = request.dimensions { body.append(("dimensions", .int(dimensions))) }
        var headers = HTTPHeaders("content-type", "application/json")
        if let key = provider.apiKey { headers.add("authorization", "Bearer " + key) }
        return WireRequest(url: provider.trimmedBaseURL + "/api/embed", headers: headers, body: JSONWriter.encode(.object(body)))
    }

    func result(from body: [UInt8], providerName: String) throws(GatewayError) -> EmbeddingsResult {
        guard let response = try? JSONParser.parse(body), let items = response["embeddings"]?.arrayValue else {
            throw malformedEmbeddings(providerName)
        }
        var vectors: [[Double]] = []
        for item in items {
            guard let values = vector(item) else { throw malformedEmbeddings(providerName) }
            vectors.append(values)
        }
        return EmbeddingsResult(vectors: vectors, inputTokens: response["prompt_eval_count"]?.intValue ?? 0)
    }
}
