import Core

/// The per-request log line: one JSON object on standard error for every logged request (level `info`,
/// or `warn` for 5xx), written a batch at a time from the request-log writer.
public enum AccessLog {
    public static func write(_ batch: [RequestLogEntry]) {
        var lines = JSONLineWriter(reservingCapacity: batch.count * 480)
        // The lines of a batch share their time, so their heads are written once, not field by field on every line.
        let time = Timestamp.iso8601(Timestamp.nowMillis())
        let info = Logger.isEnabled(.info) ? head(level: .info, time: time) : nil
        let warning = Logger.isEnabled(.warning) ? head(level: .warning, time: time) : nil
        // Rows are read where they lie: a `for entry in batch` copy retains and releases each of a row's strings.
        batch.withUnsafeBufferPointer { rows in
            for index in rows.indices {
                guard let head = rows[index].status >= 500 ? warning : info else { continue }
                line(rows[index], head: head, into: &lines)
            }
        }
        if lines.byteCount > 0 { lines.withUnsafeBytes(Logger.writeToStandardError) }
    }

    /// The head of a request line at `level`.
    static func head(level: Logger.Level, time: String) -> [UInt8] {
        JSONLineWriter.head(time: time, level: level, logger: "request", message: "request")
    }

    /// One entry's line (`head`, then the request's fields), after the lines `line` already holds.
    static func line(_ e: borrowing RequestLogEntry, head: [UInt8], into line: inout JSONLineWriter) {
        line.begin(head: head)
        line.field("request_id", e.id)
        line.field("client_request_id", e.clientRequestID)
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
