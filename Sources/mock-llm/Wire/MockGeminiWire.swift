import Core
import HTTPKit

/// Google Gemini (`POST /v1beta/models/{model}:generateContent` or `:streamGenerateContent?alt=sse`):
/// key in `x-goog-api-key` or `?key=`, `user`/`model` roles, known part kinds only, function responses
/// must name an earlier function call; each stream event a whole GenerateContentResponse.
struct MockGeminiWire: MockWire {
    func authenticate(_ request: HTTPRequest, requiredKey: String) -> HTTPResponse? {
        guard request.headers["x-goog-api-key"] != requiredKey && request.query["key"] != requiredKey else { return nil }
        return Self.error(status: 400, message: "API key not valid. Please pass a valid API key.", status: "INVALID_ARGUMENT")
    }

    /// The model and method named by the path, `models/{model}:{method}`.
    static func route(_ path: Substring) -> (model: String, method: String)? {
        guard path.hasPrefix("/v1beta/models/"), let colon = path.lastIndex(of: ":") else { return nil }
        let model = path[path.index(path.startIndex, offsetBy: 15)..<colon]
        return model.isEmpty ? nil : (percentDecoded(model), String(path[path.index(after: colon)...]))
    }

    func plan(_ request: HTTPRequest, body: JSONValue) -> Result<MockPlan, MockRefusal> {
        guard let (model, method) = Self.route(request.path), method == "generateContent" || method == "streamGenerateContent" else {
            return .failure(MockRefusal(Self.error(status: 404, message: "unknown method", status: "NOT_FOUND")))
        }
        let stream = method == "streamGenerateContent"
        if stream && request.query["alt"] != "sse" { return invalid("this mock streams only with alt=sse") }
        guard let contents = body["contents"]?.arrayValue, !contents.isEmpty else { return invalid("* GenerateContentRequest.contents: contents is not specified") }
        var words = 0
        for part in body["systemInstruction"]?["parts"]?.arrayValue ?? [] { words += wordCount(part["text"]?.stringValue ?? "") }
        var calledFunctions: Set<String> = []
        var lastHasResponse = false
        for (index, content) in contents.enumerated() {
            guard let role = content["role"]?.stringValue, role == "user" || role == "model" else {
                return invalid("* GenerateContentRequest.contents[\(index)].role: must be user or model")
            }
            guard let parts = content["parts"]?.arrayValue, !parts.isEmpty else {
                return invalid("* GenerateContentRequest.contents[\(index)].parts: contents.parts must not be empty")
            }
            lastHasResponse = false
            for part in parts {
                guard case .object(let fields) = part, fields.count == 1 || (fields.count == 2 && part["thought"] != nil) else {
                    return invalid("* GenerateContentRequest.contents[\(index)].parts: a part holds exactly one kind of data")
                }
                if let text = part["text"]?.stringValue {
                    words += wordCount(text)
                } else if let call = part["functionCall"] {
                    guard role == "model", let name = call["name"]?.stringValue else { return invalid("functionCall must come from the model") }
                    calledFunctions.insert(name)
                } else if let response = part["functionResponse"] {
                    guard role == "user", let name = response["name"]?.stringValue, calledFunctions.contains(name),
                          response["response"]?.objectValue != nil else {
                        return invalid("* GenerateContentRequest.contents[\(index)]: functionResponse must answer an earlier functionCall")
                    }
                    lastHasResponse = true
                } else if part["inlineData"] == nil && part["fileData"] == nil {
                    return invalid("* GenerateContentRequest.contents[\(index)].parts: unknown part")
                }
            }
        }
        let declarations = body["tools"]?.arrayValue?.first?["functionDeclarations"]?.arrayValue ?? []
        return .success(MockPlan(model: model, stream: stream, promptWords: max(1, words),
                                 toolToCall: lastHasResponse ? nil : declarations.first?["name"]?.stringValue))
    }

    private func usage(_ completion: MockCompletion) -> JSONValue {
        .object([("promptTokenCount", .int(completion.promptTokens)), ("candidatesTokenCount", .int(completion.outputTokens)),
                 ("totalTokenCount", .int(completion.promptTokens + completion.outputTokens))])
    }

    private func responseBody(_ completion: MockCompletion, parts: [JSONValue], finish: Bool, usage: JSONValue?) -> JSONValue {
        var candidate: [(String, JSONValue)] = [("content", .object([("parts", .array(parts)), ("role", .string("model"))]))]
        if finish { candidate.append(("finishReason", .string("STOP"))) }
        candidate.append(("index", .int(0)))
        var fields: [(String, JSONValue)] = [("candidates", .array([.object(candidate)]))]
        if let usage { fields.append(("usageMetadata", usage)) }
        fields.append(("modelVersion", .string(completion.model)))
        fields.append(("responseId", .string(completion.id)))
        return .object(fields)
    }

    private func callPart(_ tool: String) -> JSONValue {
        .object([("functionCall", .object([("name", .string(tool)), ("args", .object([("query", .string("mock"))]))]))])
    }

    func response(_ completion: MockCompletion) -> JSONValue {
        let parts = completion.toolCall.map { [callPart($0)] } ?? [.object([("text", .string(completion.text))])]
        return responseBody(completion, parts: parts, finish: true, usage: usage(completion))
    }

    func streamEvents(_ completion: MockCompletion) -> [[UInt8]] {
        func event(_ body: JSONValue) -> [UInt8] { SSEEvent(data: JSONWriter.string(body)).encoded }
        if let tool = completion.toolCall {
            return [event(responseBody(completion, parts: [callPart(tool)], finish: true, usage: usage(completion)))]
        }
        return (0..<max(1, completion.chunkCount)).map { index in
            let last = index >= completion.chunkCount - 1
            let text = index < completion.chunkCount ? completion.word(index) : ""
            return event(responseBody(completion, parts: [.object([("text", .string(text))])], finish: last, usage: last ? usage(completion) : nil))
        }
    }

    func errorResponse(status: Int, message: String) -> HTTPResponse {
        let code: String
        switch status {
        case 400: code = "INVALID_ARGUMENT"
        case 403: code = "PERMISSION_DENIED"
        case 404: code = "NOT_FOUND"
        case 429: code = "RESOURCE_EXHAUSTED"
        case 503: code = "UNAVAILABLE"
        default: code = "INTERNAL"
        }
        return Self.error(status: status, message: message, status: code)
    }

    static func error(status: Int, message: String, status code: String) -> HTTPResponse {
        .json(status, .object([("error", .object([("code", .int(status)), ("message", .string(message)), ("status", .string(code))]))]))
    }
}
