/// An error answered to a data-plane client, rendered in the OpenAI error shape.
public struct GatewayError: Error, Sendable, Equatable {
    public var status: Int
    /// OpenAI's `type`: `invalid_request_error`, `authentication_error`, `rate_limit_error`, `api_error`, ...
    public var type: String
    /// A stable machine-readable code such as `model_not_found`.
    public var code: String?
    public var message: String
    public var param: String?
    /// Sent as `retry-after` (seconds) with the error, when waiting will help.
    public var retryAfterSeconds: Int?

    public init(status: Int, type: String, code: String? = nil, message: String, param: String? = nil) {
        self.status = status
        self.type = type
        self.code = code
        self.message = message
        self.param = param
    }

    /// `{"error":{"message","type","code","param"}}`.
    public var json: JSONValue {
        .object([("error", .object([("message", .string(message)), ("type", .string(type)), ("code", .optional(code)),
                                    ("param", .optional(param))]))])
    }

    /// A 400 for a malformed or invalid request.
    public static func invalidRequest(_ message: String, param: String? = nil, code: String? = nil) -> GatewayError {
        GatewayError(status: 400, type: "invalid_request_error", code: code, message: message, param: param)
    }
}
