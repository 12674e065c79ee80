import Core

/// The per-request log line: one JSON object on standard error for every logged request (level `info`,
/// or `warn` for 5xx), written a batch at a time from the request-log writer.
public enum AccessLog {
    public static func write(_ batch: [RequestLogEntry]) {
        var lines = JSONLineWriter(reservingCapacity: batch.count * 480)
        let time = Timestamp.iso8601(Timestamp.nowMillis())
        for entry in batch {
            let level: Logger.Level = entry.status >= 500 ? .warning : .info
            guard Logger.isEnabled(level) else { continue }
            line(entry, level: level, time: time, into: &lines)
        }
        if lines.byteCount > 0 { lines.withUnsafeBytes(Logger.writeToStandardError) }
    }

    /// One entry's line (the logger's head, then the request's fields), after the lines `line` already holds.
    static func line(_ e: RequestLogEntry, level: Logger.Level, time: String, into line: inout JSONLineWriter) {
        line.begin(time: time, level: level, logger: "request", message: "request")
        line.field("request_id", e.id)
        line.field("trace_id", e.traceID)
        line.field("endpoint", e.endpoint)
        line.field("model", e.model)
        line.field("key_id", e.keyID)
        line.field("team", e.team)
        line.field("provider", e.provider)
        line.field("deployment_id", e.deploymentID)
        line.field("status", e.status)
        line.field("error_type", e.errorType)
        line.field("attempts", e.attempts)
        line.field("stream", e.stream)
        line.field("input_tokens", e.inputTokens)
        line.field("output_tokens", e.outputTokens)
        line.literal("cost_usd", e.cost.description)
        line.field("cache_hit", e.cacheHit)
        line.field("queue_ms", e.queueMillis)
        line.field("ttft_ms", e.timeToFirstTokenMillis)
        line.field("total_ms", e.latencyMillis)
        line.end()
    }
}
