import Core

/// The per-request log line: one JSON object on standard error for every logged request (level `info`,
/// or `warn` for 5xx), written a batch at a time from the request-log writer.
public enum AccessLog {
    public static func write(_ batch: [RequestLogEntry]) {
        var out: [UInt8] = []
        for entry in batch {
            let level: Logger.Level = entry.status >= 500 ? .warning : .info
            guard Logger.isEnabled(level) else { continue }
            out += Logger.line(level: level, logger: "request", message: "request", fields: fields(entry))
        }
        if !out.isEmpty { Logger.writeToStandardError(out) }
    }

    static func fields(_ e: RequestLogEntry) -> [(String, JSONValue)] {
        [("request_id", .string(e.id)), ("trace_id", .optional(e.traceID)), ("endpoint", .string(e.endpoint)), ("model", .string(e.model)),
         ("key_id", .optional(e.keyID)), ("team", .optional(e.team)), ("provider", .optional(e.provider)),
         ("deployment_id", .optional(e.deploymentID)), ("status", .int(e.status)), ("error_type", .optional(e.errorType)),
         ("attempts", .int(e.attempts)), ("stream", .bool(e.stream)), ("input_tokens", .optional(e.inputTokens)),
         ("output_tokens", .optional(e.outputTokens)), ("cost_usd", e.cost.json), ("cache_hit", .bool(e.cacheHit)),
         ("queue_ms", .optional(e.queueMillis)), ("ttft_ms", .optional(e.timeToFirstTokenMillis)), ("total_ms", .int(e.latencyMillis))]
    }
}
