import Core
import HTTPKit
import Telemetry

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

/// The JSON of a request-log row.
enum RequestRendering {
    static func render(_ e: RequestLogEntry) -> JSONValue {
        .object([
            ("id", .string(e.id)), ("created_at", .string(Timestamp.iso8601(e.createdAtMillis))), ("model", .string(e.model)),
            ("provider", .optional(e.provider)), ("upstream_model", .optional(e.upstreamModel)), ("status", .int(e.status)),
            ("error_type", .optional(e.errorType)), ("input_tokens", .optional(e.inputTokens)), ("output_tokens", .optional(e.outputTokens)),
            ("stream", .bool(e.stream)), ("attempts", .int(e.attempts)), ("latency_ms", .int(e.latencyMillis)),
            ("ttft_ms", .optional(e.timeToFirstTokenMillis)),
            ("attempts_detail", .array(attempts(e).map { a in
                .object([("number", .int(a.number)), ("provider", .string(a.provider)), ("upstream_model", .string(a.upstreamModel)),
                         ("status", .int(a.status)), ("outcome", .string(a.outcome)), ("latency_ms", .int(a.latencyMillis))])
            })),
        ])
    }

    /// The stored attempts, or the single attempt the request row itself describes.
    static func attempts(_ e: RequestLogEntry) -> [RequestAttempt] {
        if !e.attemptDetails.isEmpty { return e.attemptDetails }
        guard let provider = e.provider, e.attempts >= 1 else { return [] }
        return [RequestAttempt(number: 1, provider: provider, upstreamModel: e.upstreamModel ?? "", status: e.status,
                               outcome: e.errorType ?? "ok", latencyMillis: e.latencyMillis)]
    }
}
