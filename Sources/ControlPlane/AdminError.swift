import Core
import HTTPKit

/// An admin API error: `{"error":{"message","field"}}` with its status.
public struct AdminError: Error, Sendable, Equatable {
    public var status: Int
    public var message: String
    public var field: String?

    public init(_ status: Int, _ message: String, field: String? = nil) {
        self.status = status
        self.message = message
        self.field = field
    }

    /// A 422 naming the invalid field.
    static func invalid(_ field: String, _ message: String) -> AdminError { AdminError(422, "\(field): \(message)", field: field) }
    static func notFound(_ what: String, _ id: String) -> AdminError { AdminError(404, "\(what) '\(id)' does not exist") }
    static func conflict(_ message: String, field: String? = nil) -> AdminError { AdminError(409, message, field: field) }

    var response: HTTPResponse {
        .json(status, .object([("error", .object([("message", .string(message)), ("field", .optional(field))]))]))
    }
}
