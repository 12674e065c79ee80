import Core
import HTTPKit

/// Bedrock `InvokeModel` (`POST /model/{id}/invoke`) for embedding models: Amazon Titan (`inputText`, one
/// input per call, `dimensions`; `embedding` and `inputTextTokenCount` back) and Cohere Embed on Bedrock
/// (`texts`, `input_type`; `embeddings` back, no token count). Signed like Converse.
struct BedrockEmbeddings: EmbeddingsTranslator {
    let signer = BedrockTranslator()

    static func isCohere(_ model: String) -> Bool { model.contains("cohere.") }

    func wireRequest(_ request: EmbeddingsRequest, provider: ProviderConfig, upstreamModel: String) throws(GatewayError) -> WireRequest {
        let body: JSONValue
        if Self.isCohere(upstreamModel) {
            body = .object([("texts", .array(request.inputs.map { .string($0) })), ("input_type", .string("search_document"))])
        } else {
            guard request.inputs.count == 1 else {
                throw .invalidRequest("Amazon Titan embeddings take one input per request; send 'input' as a single string.", param: "input")
            }
            var fields: [(String, JSONValue)] = [("inputText", .string(request.inputs[0]))]
            if let dimensions = request.dimensions { fields.append(("dimensions", .int(dimensions))) }
            body = .object(fields)
        }
        let path = "/model/" + AWSSigV4.uriEncode(upstreamModel) + "/invoke"
        let encoded = JSONWriter.encode(body)
        var headers = HTTPHeaders("content-type", "application/json")
        headers.add("accept", "application/json")
        try signer.sign(&headers, provider: provider, path: path, body: encoded)
        return WireRequest(url: provider.trimmedBaseURL + path, headers: headers, body: encoded)
    }

    func result(from body: [UInt8], providerName: String) throws(GatewayError) -> EmbeddingsResult {
        guard let response = try? JSONParser.parse(body) else { throw malformedEmbeddings(providerName) }
        if let single = vector(response["embedding"]) {
            return EmbeddingsResult(vectors: [single], inputTokens: response["inputTextTokenCount"]?.intValue ?? 0)
        }
        let items = response["embeddings"]?["float"]?.arrayValue ?? response["embeddings"]?.arrayValue ?? []
        var vectors: [[Double]] = []
        for item in items {
            guard let values = vector(item) else { throw malformedEmbeddings(providerName) }
            vectors.append(values)
        }
        guard !vectors.isEmpty else { throw malformedEmbeddings(providerName) }
        return EmbeddingsResult(vectors: vectors, inputTokens: 0)
    }
}
