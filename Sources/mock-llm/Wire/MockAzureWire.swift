import Core
import HTTPKit

/// Azure OpenAI (`POST /openai/deployments/{deployment}/chat/completions?api-version=...`): the OpenAI
/// wire format, authenticated by an `api-key` header, with `api-version` required.
struct MockAzureWire: MockWire {
    private let openAI = MockOpenAIWire()

    /// The deployment named by the path.
    static func deployment(_ path: Substring) -> String? {
        let parts = path.split(separator: "/")
        guard parts.count == 5, parts[0] == "openai", parts[1] == "deployments", parts[3] == "chat", parts[4] == "completions" else { return nil }
        return percentDecoded(parts[2])
    }

    func authenticate(_ request: HTTPRequest, requiredKey: String) -> HTTPResponse? {
        guard request.headers["api-key"] != requiredKey else { return nil }
        return .json(401, MockOpenAIWire.error("Access denied due to invalid subscription key or wrong API endpoint.", type: "invalid_request_error",
                                               code: "401"))
    }

    func plan(_ request: HTTPRequest, body: JSONValue) -> Result<MockPlan, MockRefusal> {
        guard request.query["api-version"]?.isEmpty == false else { return invalid("Missing required query parameter: api-version") }
        return openAI.plan(request, body: body).map { plan in
            var plan = plan
            plan.model = Self.deployment(request.path) ?? plan.model
            return plan
        }
    }

    func response(_ completion: MockCompletion) -> JSONValue { openAI.response(completion) }
    func streamEvents(_ completion: MockCompletion) -> [[UInt8]] { openAI.streamEvents(completion) }
    func errorResponse(status: Int, message: String) -> HTTPResponse { openAI.errorResponse(status: status, message: message) }
}
