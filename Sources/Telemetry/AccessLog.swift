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
        // Rows are read in place (see `withContiguousRows`).
        batch.withUnsafeBufferPointer { rows in
            for row in rows.indices.lazy.map({ rows.baseAddress! + $0 }) {
                guard let head = row.pointee.status >= 500 ? warning : info else { continue }
                line(row, head: head, into: &lines)
            }
        }
        if lines.byteCount > 0 { lines.withUnsafeBytes(Logger.writeToStandardError) }
    }

    /// The head of a request line at `level`.
    static func head(level: Logger.Level, time: String) -> [UInt8] {
        JSONLineWriter.head(time: time, level: level, logger: "request", message: "request")
    }

    /// The line of the row at `entry` (`head`, then the request's fields), after the lines `line` already holds.
    static func line(_ entry: UnsafePointer<RequestLogEntry>, head: [UInt8], into line: inout JSONLineWriter) {
        line.begin(head: head)
        line.field("request_id", entry.pointee.id)
        line.field("client_request_id", entry.pointee.clientRequestID)
        line.field("trace_id", entry.pointee.traceID)
        line.field("endpoint", entry.pointee.endpoint)
        line.field("model", entry.pointee.model)
        line.field("key_id", entry.pointee.keyID)
        line.field("team", entry.pointee.team)
        line.field("provider", entry.pointee.provider)
        line.field("deployment_id", entry.pointee.deploymentID)
        line.field("status", entry.pointee.status)
        line.field("error_type", entry.pointee.errorType)
        line.field("attempts", entry.pointee.attempts)
        line.field("stream", entry.pointee.stream)
        line.field("input_tokens", entry.pointee.inputTokens)
        line.field("output_tokens", entry.pointee.outputTokens)
        line.literal("cost_usd", entry.pointee.cost.description)
        line.field("cache_hit", entry.pointee.cacheHit)
        line.field("queue_ms", entry.pointee.queueMillis)
        line.field("ttft_ms", entry.pointee.timeToFirstTokenMillis)
        line.field("total_ms", entry.pointee.latencyMillis)
        line.end()
    }
}
