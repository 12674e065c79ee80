import Core
import HTTPKit

/// mock-llm's embeddings endpoints, one per wire format, each checking auth and required fields like the
/// real API. Vectors are deterministic: `dimensions` (default 4) values `(words + i) / 10` per input;
/// one token per word.
struct MockEmbeddings {
    /// The wire format whose embeddings API `path` names, with the model it names (when in the path).
    enum Format {
        case openAI, azure, gemini(model: String), cohere, ollama, bedrock(model: String)
    }

    static func format(_ path: Substring) -> Format? {
        let parts = path.split(separator: "/")
        switch path {
        case "/v1/embeddings": return .openAI
        case "/v2/embed": return .cohere
        case "/api/embed": return .ollama
        default:
            if parts.count == 4, parts[0] == "openai", parts[1] == "deployments", parts[3] == "embeddings" { return .azure }
            if parts.count == 3, parts[0] == "model", parts[2] == "invoke" { return .bedrock(model: percentDecoded(parts[1])) }
            if let (model, method) = MockGeminiWire.route(path), method == "batchEmbedContents" { return .gemini(model: model) }
            return nil
        }
    }

    let format: Format

    var wire: any MockWire {
        switch format {
        case .openAI: return MockOpenAIWire()
        case .azure: return MockAzureWire()
        case .gemini: return MockGeminiWire()
        case .cohere: return MockCohereWire()
        case .ollama: return MockOllamaWire()
        case .bedrock: return MockBedrockWire()
        }
    }

    static func vector(_ text: String, dimensions: Int) -> [Double] {
        (0..<dimensions).map { Double(wordCount(text) + $0) / 10 }
    }

    static func numbers(_ vector: [Double]) -> JSONValue { .array(vector.map { .number(String($0)) }) }

    /// The provider's answer to `body`, or its 400.
    func answer(_ body: JSONValue) -> HTTPResponse {
        let fail = { (message: String) in wire.errorResponse(status: 400, message: message) }
        switch format {
        case .openAI, .azure:
            let inputs = body["input"]?.stringValue.map { [$0] } ?? body["input"]?.arrayValue?.compactMap(\.stringValue) ?? []
            guard !inputs.isEmpty else { return fail("'input' is required") }
            guard format.isAzure || body["model"]?.stringValue != nil else { return fail("you must provide a model parameter") }
            let dimensions = body["dimensions"]?.intValue ?? 4
            let result = EmbeddingsResult(vectors: inputs.map { Self.vector($0, dimensions: dimensions) },
                                          inputTokens: inputs.map(wordCount).reduce(0, +))
            return .json(200, result.openAIJSON(model: body["model"]?.stringValue ?? "deployment",
                                                base64: body["encoding_format"]?.stringValue == "base64"))
        case .gemini(let model):
            guard let requests = body["requests"]?.arrayValue, !requests.isEmpty else { return fail("* BatchEmbedContentsRequest.requests: required") }
            var embeddings: [JSONValue] = []
            for (index, request) in requests.enumerated() {
                guard request["model"]?.stringValue == "models/" + model else {
                    return fail("* BatchEmbedContentsRequest.requests[\(index)].model: must be the batch's model models/\(model)")
                }
                let text = (request["content"]?["parts"]?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }.joined()
                embeddings.append(.object([("values", Self.numbers(Self.vector(text, dimensions: request["outputDimensionality"]?.intValue ?? 4)))]))
            }
            return .json(200, .object([("embeddings", .array(embeddings))]))
        case .cohere:
            guard let texts = body["texts"]?.arrayValue?.compactMap(\.stringValue), !texts.isEmpty else { return fail("invalid request: texts must not be empty") }
            guard body["input_type"]?.stringValue != nil else { return fail("invalid request: input_type is required for embed models v3 and higher") }
            let dimensions = body["output_dimension"]?.intValue ?? 4
            return .json(200, .object([
                ("id", .string(Identifier.make("embed"))), ("texts", .array(texts.map { .string($0) })),
                ("embeddings", .object([("float", .array(texts.map { Self.numbers(Self.vector($0, dimensions: dimensions)) }))])),
                ("meta", .object([("billed_units", .object([("input_tokens", .int(texts.map(wordCount).reduce(0, +)))]))])),
            ]))
        case .ollama:
            let inputs = body["input"]?.stringValue.map { [$0] } ?? body["input"]?.arrayValue?.compactMap(\.stringValue) ?? []
            guard let model = body["model"]?.stringValue, !inputs.isEmpty else { return fail("model and input are required") }
            return .json(200, .object([("model", .string(model)),
                                       ("embeddings", .array(inputs.map { Self.numbers(Self.vector($0, dimensions: body["dimensions"]?.intValue ?? 4)) })),
                                       ("prompt_eval_count", .int(inputs.map(wordCount).reduce(0, +)))]))
        case .bedrock(let model):
            if model.contains("cohere.") {
                guard let texts = body["texts"]?.arrayValue?.compactMap(\.stringValue), !texts.isEmpty, body["input_type"] != nil else {
                    return fail("Malformed input request: #: required key [texts] not found, required key [input_type] not found")
                }
                return .json(200, .object([("id", .string(Identifier.make("embed"))), ("texts", .array(texts.map { .string($0) })),
                                           ("embeddings", .array(texts.map { Self.numbers(Self.vector($0, dimensions: 4)) }))]))
            }
            guard let text = body["inputText"]?.stringValue, (body.objectValue ?? []).allSatisfy({ ["inputText", "dimensions", "normalize"].contains($0.0) }) else {
                return fail("Malformed input request: #: required key [inputText] not found, please reformat your input and try again.")
            }
            return .json(200, .object([("embedding", Self.numbers(Self.vector(text, dimensions: body["dimensions"]?.intValue ?? 4))),
                                       ("inputTextTokenCount", .int(wordCount(text)))]))
        }
    }
}

extension MockEmbeddings.Format {
    var isAzure: Bool { if case .azure = self { return true } else { return false } }
}
