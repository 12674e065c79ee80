import Core

/// The per-request log line: one JSON object on standard error for every logged request (level `info`,
/// or `warn` for 5xx), written a batch at a time from the request-log writer. Encoded straight to bytes:
/// it runs for every request, so it builds no intermediate JSON tree.
public enum AccessLog {
    public static func write(_ batch: [RequestLogEntry]) {
        var out: [UInt8] = []
        let time = Timestamp.iso8601(Timestamp.nowMillis())
        for entry in batch {
            let level: Logger.Level = entry.status >= 500 ? .warning : .info
            guard Logger.isEnabled(level) else { continue }
            line(entry, level: level, time: time, into: &out)
        }
        if !out.isEmpty { Logger.writeToStandardError(out) }
    }

    /// One entry's line, in the shape of `Logger.line` (`time`, `level`, `logger`, `msg`, then the fields).
    static func line(_ e: RequestLogEntry, level: Logger.Level, time: String, into out: inout [UInt8]) {
        var line = LineWriter()
        swap(&line.out, &out)  // write into the caller's buffer without copying it
        line.field("time", time)
        line.field("level", level.label)
        line.field("logger", "request")
        line.field("msg", "request")
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
        line.field("stream", e.stream ? "true" : "false", raw: true)
        line.field("input_tokens", e.inputTokens)
        line.field("output_tokens", e.outputTokens)
        line.field("cost_usd", e.cost.description, raw: true)
        line.field("cache_hit", e.cacheHit ? "true" : "false", raw: true)
        line.field("queue_ms", e.queueMillis)
        line.field("ttft_ms", e.timeToFirstTokenMillis)
        line.field("total_ms", e.latencyMillis)
        out = line.finish()
    }

    /// Appends `"name":value` pairs of one JSON object.
    struct LineWriter {
        var out: [UInt8] = []
        var first = true

        mutating func name(_ name: String) {
            out.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
            first = false
            JSONWriter.writeString(name, into: &out)
            out.append(UInt8(ascii: ":"))
        }

        mutating func field(_ name: String, _ value: String?, raw: Bool = false) {
            self.name(name)
            guard let value else { return out.append(contentsOf: "null".utf8) }
            if raw { out.append(contentsOf: value.utf8) } else { JSONWriter.writeString(value, into: &out) }
        }

        mutating func field(_ name: String, _ value: Int?) {
            field(name, value.map(String.init), raw: true)
        }

        mutating func finish() -> [UInt8] {
            out.append(contentsOf: "}\n".utf8)
            return out
        }
    }
}
