import Core
import HTTPKit

/// Cohere v2 `POST /v2/embed`: `texts`, `input_type` (`search_document`, as OpenAI embeddings are for
/// storing), `embedding_types: ["float"]`, `output_dimension`; billed input tokens in `meta`.
struct CohereEmbeddings: EmbeddingsTranslator {
    func wireRequest(_ request: EmbeddingsRequest, provider: ProviderConfig, upstreamModel: String) throws(GatewayError) -> WireRequest {
        var body: [(String, JSONValue)] = [("model", .string(upstreamModel)), ("texts", .array(request.inputs.map { .string($0) })),
                                           ("input_type", .string("search_document")), ("embedding_types", .array([.string("float")]))]
        if let dimensions = request.dimensions { body.append(("output_dimension", .int(dimensions))) }
        var headers = HTTPHeaders("content-type", "application/json")
        if let key = provider.apiKey { headers.add("authorization", "Bearer " + key) }
        return WireRequest(url: provider.trimmedBaseURL + "/embed", headers: headers, body: JSONWriter.encode(.object(body)))
    }

    func result(from body: [UInt8], providerName: String) throws(GatewayError) -> EmbeddingsResult {
        guard let response = try? JSONParser.parse(body), let items = response["embeddings"]?["float"]?.arrayValue else {
            throw malformedEmbeddings(providerName)
        }
        var vectors: [[Double]] = []
        for item in items {
            guard let values = vector(item) else { throw malformedEmbeddings(providerName) }
            vectors.append(values)
        }
        return EmbeddingsResult(vectors: vectors, inputTokens: response["meta"]?["billed_units"]?["input_tokens"]?.intValue ?? 0)
    }
}
