import Core
import HTTPKit

/// Gemini `models/{model}:batchEmbedContents`: one request per input, `outputDimensionality` for
/// shortened vectors. Gemini reports no token counts for embeddings, so usage is 0.
struct GeminiEmbeddings: EmbeddingsTranslator {
    func wireRequest(_ request: EmbeddingsRequest, provider: ProviderConfig, upstreamModel: String) throws(GatewayError) -> WireRequest {
        let model = upstreamModel.hasPrefix("models/") ? String(upstreamModel.dropFirst(7)) : upstreamModel
        let requests: [JSONValue] = request.inputs.map { text in
            var fields: [(String, JSONValue)] = [("model", .string("models/" + model)),
                                                 ("content", .object([("parts", .array([.object([("text", .string(text))])]))]))]
            if let dimensions = request.dimensions { fields.append(("outputDimensionality", .int(dimensions))) }
            return .object(fields)
        }
        var headers = HTTPHeaders("content-type", "application/json")
        if let key = provider.apiKey { headers.add("x-goog-api-key", key) }
        return WireRequest(url: provider.trimmedBaseURL + "/models/" + PercentEncoding.pathSegment(model) + ":batchEmbedContents",
                           headers: headers, body: JSONWriter.encode(.object([("requests", .array(requests))])))
    }

    func result(from body: [UInt8], providerName: String) throws(GatewayError) -> EmbeddingsResult {
        guard let items = (try? JSONParser.parse(body))?["embeddings"]?.arrayValue else { throw malformedEmbeddings(providerName) }
        var vectors: [[Double]] = []
        for item in items {
            guard let values = vector(item["values"]) else { throw malformedEmbeddings(providerName) }
            vectors.append(values)
        }
        return EmbeddingsResult(vectors: vectors, inputTokens: 0)
    }
}
