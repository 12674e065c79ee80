import Core
import HTTPKit

/// AWS Bedrock Converse (`POST /model/{modelId}/converse`, `/converse-stream`): verifies the SigV4
/// signature (or a bearer API key) the way AWS does, refuses unknown fields, requires alternating
/// user/assistant turns starting with the user, tool results answering earlier tool uses and a
/// `toolConfig` whenever tool blocks appear; streams in the binary event-stream framing.
struct MockBedrockWire: MockWire {
    static let knownFields: Set<String> = ["messages", "system", "inferenceConfig", "toolConfig", "guardrailConfig",
                                           "additionalModelRequestFields", "additionalModelResponseFieldPaths", "promptVariables",
                                           "requestMetadata", "performanceConfig"]
    static let toolUseID = "tooluse_mock1"
    /// How far the request's `x-amz-date` may be from the mock's clock.
    static let maxClockSkewMillis: Int64 = 15 * 60 * 1000

    var streamContentType: String { "application/vnd.amazon.eventstream" }

    /// The model id and operation named by the path.
    static func route(_ path: Substring) -> (model: String, stream: Bool)? {
        let parts = path.split(separator: "/")
        guard parts.count == 3, parts[0] == "model", parts[2] == "converse" || parts[2] == "converse-stream" else { return nil }
        return (percentDecoded(parts[1]), parts[2] == "converse-stream")
    }

    func authenticate(_ request: HTTPRequest, requiredKey: String) -> HTTPResponse? {
        let authorization = request.headers["authorization"] ?? ""
        guard let credentials = AWSSigV4.Credentials(reference: requiredKey) else {
            return authorization == "Bearer " + requiredKey ? nil : error(403, "AccessDeniedException", "Invalid API Key format: Must start with pre-defined prefix")
        }
        guard let signed = SignedRequest(authorization) else {
            return error(403, "MissingAuthenticationTokenException", "Missing Authentication Token")
        }
        guard signed.accessKeyID == credentials.accessKeyID else {
            return error(403, "UnrecognizedClientException", "The security token included in the request is invalid.")
        }
        guard let amzDate = request.headers["x-amz-date"], let millis = Self.millis(amzDate),
              abs(millis - Timestamp.nowMillis()) <= Self.maxClockSkewMillis else {
            return error(403, "InvalidSignatureException", "Signature expired or x-amz-date missing.")
        }
        guard request.headers["x-amz-content-sha256"].map({ $0 == Crypto.sha256Hex(request.body) }) ?? true else {
            return error(400, "ValidationException", "The provided x-amz-content-sha256 header does not match what was computed.")
        }
        let signer = AWSSigV4(credentials: credentials, region: signed.region, service: signed.service)
        var headers: [(String, String)] = []
        for name in signed.signedHeaders {
            guard let value = request.headers[name] else { return error(403, "InvalidSignatureException", "Signed header \(name) is missing.") }
            headers.append((name, value))
        }
        let query = request.target.firstIndex(of: "?").map { String(request.target[request.target.index(after: $0)...]) } ?? ""
        let expected = signer.sign(method: request.method, path: String(request.path), query: query, headers: headers,
                                   payloadHash: Crypto.sha256Hex(request.body), amzDate: amzDate)
        guard signed.service == "bedrock", signed.date == amzDate.prefix(8),
              Crypto.constantTimeEqual(Array(expected.value.utf8), Array(signed.signature.utf8)) else {
            return error(403, "InvalidSignatureException", "The request signature we calculated does not match the signature you provided. "
                         + "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
        }
        return nil
    }

    /// The parts of `AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request, SignedHeaders=a;b, Signature=hex`.
    struct SignedRequest {
        var accessKeyID = "", date = "", region = "", service = "", signature = ""
        var signedHeaders: [String] = []

        init?(_ header: String) {
            guard header.hasPrefix("AWS4-HMAC-SHA256 ") else { return nil }
            for field in header.dropFirst(17).split(separator: ",") {
                let pair = field.split(separator: "=", maxSplits: 1).map { Platform.trimmed(String($0)) }
                guard pair.count == 2 else { return nil }
                switch pair[0] {
                case "Credential":
                    let scope = pair[1].split(separator: "/").map(String.init)
                    guard scope.count == 5, scope[4] == "aws4_request" else { return nil }
                    (accessKeyID, date, region, service) = (scope[0], scope[1], scope[2], scope[3])
                case "SignedHeaders": signedHeaders = pair[1].split(separator: ";").map(String.init)
                case "Signature": signature = pair[1]
                default: return nil
                }
            }
            guard !accessKeyID.isEmpty, !signature.isEmpty, signedHeaders.contains("host") else { return nil }
        }
    }

    /// Epoch milliseconds for `yyyyMMddTHHmmssZ`.
    static func millis(_ amzDate: String) -> Int64? {
        let bytes = Array(amzDate.utf8)
        guard bytes.count == 16, bytes[8] == UInt8(ascii: "T"), bytes[15] == UInt8(ascii: "Z") else { return nil }
        func part(_ start: Int, _ count: Int) -> String { String(decoding: bytes[start..<start + count], as: UTF8.self) }
        return Timestamp.parse("\(part(0, 4))-\(part(4, 2))-\(part(6, 2))T\(part(9, 2)):\(part(11, 2)):\(part(13, 2))Z")
    }

    func plan(_ request: HTTPRequest, body: JSONValue) -> Result<MockPlan, MockRefusal> {
        guard let (model, stream) = Self.route(request.path) else { return .failure(MockRefusal(error(404, "UnknownOperationException", "unknown operation"))) }
        for (name, _) in body.objectValue ?? [] where !Self.knownFields.contains(name) {
            return invalid("Malformed input request: extraneous key [\(name)] is not permitted, please reformat your input and try again.")
        }
        guard let messages = body["messages"]?.arrayValue, !messages.isEmpty else { return invalid("A conversation must start with a user message.") }
        var words = 0
        for block in body["system"]?.arrayValue ?? [] { words += wordCount(block["text"]?.stringValue ?? "") }
        var toolUses: Set<String> = []
        var sawToolBlocks = false
        var lastHasResult = false
        for (index, message) in messages.enumerated() {
            let role = message["role"]?.stringValue
            guard role == (index % 2 == 0 ? "user" : "assistant") else {
                return invalid("A conversation must alternate between user and assistant roles. Make sure the conversation alternates "
                               + "between user and assistant roles and try again.")
            }
            guard let blocks = message["content"]?.arrayValue, !blocks.isEmpty else {
                return invalid("The content field in the Message object at messages.\(index) is empty.")
            }
            lastHasResult = false
            for block in blocks {
                guard case .object(let fields) = block, fields.count == 1, let kind = fields.first?.0 else {
                    return invalid("messages.\(index).content: a content block holds exactly one member")
                }
                switch kind {
                case "text": words += wordCount(block["text"]?.stringValue ?? "")
                case "image":
                    guard role == "user", ["png", "jpeg", "gif", "webp"].contains(block["image"]?["format"]?.stringValue ?? ""),
                          block["image"]?["source"]?["bytes"]?.stringValue != nil else { return invalid("messages.\(index): invalid image block") }
                case "toolUse":
                    guard role == "assistant", let id = block["toolUse"]?["toolUseId"]?.stringValue,
                          block["toolUse"]?["input"]?.objectValue != nil else { return invalid("messages.\(index): invalid toolUse block") }
                    toolUses.insert(id)
                    sawToolBlocks = true
                case "toolResult":
                    guard role == "user", let id = block["toolResult"]?["toolUseId"]?.stringValue, toolUses.contains(id) else {
                        return invalid("messages.\(index): the toolResult blocks must answer toolUse blocks of the previous turn")
                    }
                    sawToolBlocks = true
                    lastHasResult = true
                default:
                    return invalid("messages.\(index): unknown content block \(kind)")
                }
            }
        }
        let tools = body["toolConfig"]?["tools"]?.arrayValue ?? []
        if sawToolBlocks && tools.isEmpty {
            return invalid("The toolConfig field must be defined when using toolUse and toolResult content blocks.")
        }
        for tool in tools where tool["toolSpec"]?["name"]?.stringValue == nil || tool["toolSpec"]?["inputSchema"]?["json"] == nil {
            return invalid("toolConfig.tools: each tool needs toolSpec.name and toolSpec.inputSchema.json")
        }
        return .success(MockPlan(model: model, stream: stream, promptWords: max(1, words),
                                 toolToCall: lastHasResult ? nil : tools.first?["toolSpec"]?["name"]?.stringValue))
    }

    private func usage(_ completion: MockCompletion) -> JSONValue {
        .object([("inputTokens", .int(completion.promptTokens)), ("outputTokens", .int(completion.outputTokens)),
                 ("totalTokens", .int(completion.promptTokens + completion.outputTokens))])
    }

    func response(_ completion: MockCompletion) -> JSONValue {
        let block: JSONValue = completion.toolCall.map { tool in
            .object([("toolUse", .object([("toolUseId", .string(Self.toolUseID)), ("name", .string(tool)),
                                          ("input", .object([("query", .string("mock"))]))]))])
        } ?? .object([("text", .string(completion.text))])
        return .object([("output", .object([("message", .object([("role", .string("assistant")), ("content", .array([block]))]))])),
                        ("stopReason", .string(completion.toolCall == nil ? "end_turn" : "tool_use")), ("usage", usage(completion)),
                        ("metrics", .object([("latencyMs", .int(10))]))])
    }

    func streamEvents(_ completion: MockCompletion) -> [[UInt8]] {
        func event(_ type: String, _ fields: [(String, JSONValue)]) -> [UInt8] {
            // AWS pads event payloads with a "p" field of varying length.
            AWSEventStream.encode(headers: [(":event-type", type), (":content-type", "application/json"), (":message-type", "event")],
                                  payload: JSONWriter.encode(.object(fields + [("p", .string("abcdefgh"))])))
        }
        var events = [event("messageStart", [("role", .string("assistant"))])]
        if let tool = completion.toolCall {
            events.append(event("contentBlockStart", [("contentBlockIndex", .int(0)), ("start", .object([("toolUse", .object([
                ("toolUseId", .string(Self.toolUseID)), ("name", .string(tool))]))]))]))
            for piece in MockCompletion.toolArgumentPieces {
                events.append(event("contentBlockDelta", [("contentBlockIndex", .int(0)),
                                                          ("delta", .object([("toolUse", .object([("input", .string(piece))]))]))]))
            }
        } else {
            for index in 0..<completion.chunkCount {
                events.append(event("contentBlockDelta", [("contentBlockIndex", .int(0)), ("delta", .object([("text", .string(completion.word(index)))]))]))
            }
        }
        events.append(event("contentBlockStop", [("contentBlockIndex", .int(0))]))
        events.append(event("messageStop", [("stopReason", .string(completion.toolCall == nil ? "end_turn" : "tool_use"))]))
        events.append(event("metadata", [("usage", usage(completion)), ("metrics", .object([("latencyMs", .int(10))]))]))
        return events
    }

    func errorResponse(status: Int, message: String) -> HTTPResponse {
        let name: String
        switch status {
        case 400: name = "ValidationException"
        case 403: name = "AccessDeniedException"
        case 404: name = "ResourceNotFoundException"
        case 429: name = "ThrottlingException"
        case 503: name = "ServiceUnavailableException"
        default: name = "InternalServerException"
        }
        return error(status, name, message)
    }

    private func error(_ status: Int, _ name: String, _ message: String) -> HTTPResponse {
        var response = HTTPResponse.json(status, .object([("message", .string(message))]))
        response.headers.add("x-amzn-errortype", name)
        return response
    }
}
