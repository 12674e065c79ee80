import Core
import HTTPKit

/// `limit` and `cursor` query parameters and the `{"data":[...],"next_cursor":...}` envelope.
enum Pagination {
    static let defaultLimit = 100
    static let maxLimit = 1000

    static func read(_ query: [String: String]) throws(AdminError) -> (limit: Int, cursor: String?) {
        var limit = defaultLimit
        if let text = query["limit"] {
            guard let value = Int(text), (1...maxLimit).contains(value) else {
                throw AdminError(400, "limit must be an integer from 1 to \(maxLimit)", field: "limit")
            }
            limit = value
        }
        let cursor = query["cursor"].flatMap { $0.isEmpty ? nil : $0 }
        return (limit, cursor)
    }

    static func response(_ items: [JSONValue], next: String?) -> HTTPResponse {
        .json(200, .object([("data", .array(items)), ("next_cursor", .optional(next))]))
    }
}
