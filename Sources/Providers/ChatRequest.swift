import Core

/// The fields of a chat-completions request that routing needs, plus the parsed document to forward.
public struct ChatRequest: Sendable {
    public let document: JSONValue
    public let model: String
    public let stream: Bool
    /// The client asked for a final usage chunk (`stream_options.include_usage`).
    public let includeUsage: Bool

    /// Parses and checks a request body; throws a 400 `GatewayError` naming the offending field.
    public init(body: [UInt8]) throws(GatewayError) {
        let document: JSONValue
        do {
            document = try JSONParser.parse(body)
        } catch {
            throw GatewayError.invalidRequest("The request body is not valid JSON: \(error).", code: "invalid_json")
        }
        guard case .object = document else { throw GatewayError.invalidRequest("The request body must be a JSON object.") }
        guard let model = document["model"]?.stringValue, !model.isEmpty else {
            throw GatewayError.invalidRequest("You must provide a model parameter (a non-empty string).", param: "model")
        }
        guard let messages = document["messages"]?.arrayValue, !messages.isEmpty else {
            throw GatewayError.invalidRequest("'messages' must be a non-empty array.", param: "messages")
        }
        for (index, message) in messages.enumerated() {
            guard case .object = message, let role = message["role"]?.stringValue else {
                throw GatewayError.invalidRequest("messages[\(index)] must be an object with a string 'role'.", param: "messages[\(index)].role")
            }
            guard ["system", "developer", "user", "assistant", "tool", "function"].contains(role) else {
                throw GatewayError.invalidRequest("messages[\(index)].role '\(role)' is not one of system, developer, user, assistant, tool.",
                                                  param: "messages[\(index)].role")
            }
        }
        var stream = false
        if let value = document["stream"], !value.isNull {
            guard let flag = value.boolValue else { throw GatewayError.invalidRequest("'stream' must be a boolean.", param: "stream") }
            stream = flag
        }
        self.document = document
        self.model = model
        self.stream = stream
        self.includeUsage = document["stream_options"]?["include_usage"]?.boolValue ?? false
    }
}
