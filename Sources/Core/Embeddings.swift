/// The canonical embeddings request: OpenAI's `POST /v1/embeddings` with text inputs.
public struct EmbeddingsRequest: Sendable, Equatable {
    public var model: String
    public var inputs: [String]
    /// Requested vector size, for models that can shorten their output.
    public var dimensions: Int?
    /// The client asked for `encoding_format: "base64"` (little-endian float32), as the OpenAI SDKs do by default.
    public var base64: Bool
    public var user: String?

    public init(model: String, inputs: [String], dimensions: Int? = nil, base64: Bool = false, user: String? = nil) {
        self.model = model
        self.inputs = inputs
        self.dimensions = dimensions
        self.base64 = base64
        self.user = user
    }

    /// Reads an OpenAI embeddings body; token-array inputs are refused (only OpenAI-format upstreams take them, as sent).
    public init(json: JSONValue) throws(GatewayError) {
        guard case .object = json else { throw .invalidRequest("The request body must be a JSON object.") }
        guard let model = json["model"]?.stringValue, !model.isEmpty else {
            throw .invalidRequest("You must provide a model parameter (a non-empty string).", param: "model")
        }
        let inputs: [String]
        switch json["input"] {
        case .string(let text)?: inputs = [text]
        case .array(let items)? where !items.isEmpty && items.allSatisfy({ $0.stringValue != nil }): inputs = items.compactMap(\.stringValue)
        default: throw .invalidRequest("'input' must be a string or a non-empty array of strings.", param: "input")
        }
        guard inputs.count <= 2048 else { throw .invalidRequest("'input' may hold at most 2048 items.", param: "input") }
        let format = json["encoding_format"]?.stringValue ?? "float"
        guard format == "float" || format == "base64" else {
            throw .invalidRequest("'encoding_format' must be 'float' or 'base64'.", param: "encoding_format")
        }
        var dimensions: Int?
        if let value = json["dimensions"], !value.isNull {
            guard let number = value.intValue, number >= 1 else { throw .invalidRequest("'dimensions' must be a positive integer.", param: "dimensions") }
            dimensions = number
        }
        self.init(model: model, inputs: inputs, dimensions: dimensions, base64: format == "base64", user: json["user"]?.stringValue)
    }
}

/// Vectors for each input, in input order, with the tokens the provider counted.
public struct EmbeddingsResult: Sendable, Equatable {
    public var vectors: [[Double]]
    public var inputTokens: Int

    public init(vectors: [[Double]], inputTokens: Int) {
        self.vectors = vectors
        self.inputTokens = inputTokens
    }

    /// OpenAI's embeddings list; base64 vectors are little-endian float32, as OpenAI encodes them.
    public func openAIJSON(model: String, base64: Bool) -> JSONValue {
        .object([("object", .string("list")), ("data", .array(vectors.enumerated().map { index, vector in
            .object([("object", .string("embedding")), ("index", .int(index)),
                     ("embedding", base64 ? .string(Self.base64(vector)) : .array(vector.map { .number(String($0)) }))])
        })), ("model", .string(model)), ("usage", .object([("prompt_tokens", .int(inputTokens)), ("total_tokens", .int(inputTokens))]))])
    }

    static func base64(_ vector: [Double]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(vector.count * 4)
        for value in vector {
            let bits = Float(value).bitPattern
            bytes += [UInt8(bits & 255), UInt8(bits >> 8 & 255), UInt8(bits >> 16 & 255), UInt8(bits >> 24)]
        }
        return Base64.encode(bytes)
    }
}
