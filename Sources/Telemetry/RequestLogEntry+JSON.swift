import Core

extension RequestLogEntry {
    /// The JSON form: what `GET /admin/v1/requests/{id}` answers and what the spill file holds, one per line.
    public var json: JSONValue {
        .object([
            ("id", .string(id)), ("client_request_id", .optional(clientRequestID)), ("created_at", .string(Timestamp.iso8601(createdAtMillis))), ("endpoint", .string(endpoint)),
            ("model", .string(model)), ("key_id", .optional(keyID)), ("team", .optional(team)), ("provider", .optional(provider)),
            ("deployment_id", .optional(deploymentID)), ("upstream_model", .optional(upstreamModel)), ("status", .int(status)),
            ("error_type", .optional(errorType)), ("error_message", .optional(errorMessage)), ("stream", .bool(stream)),
            ("input_tokens", .optional(inputTokens)), ("output_tokens", .optional(outputTokens)),
            ("cached_tokens", .optional(cachedTokens)), ("reasoning_tokens", .optional(reasoningTokens)),
            ("cost_usd", cost.json), ("unpriced", .bool(unpriced)), ("cache_hit", .bool(cacheHit)),
            ("attempts", .int(attempts)),
            ("timings", .object([("queue_ms", .optional(queueMillis)), ("connect_ms", .optional(connectMillis)),
                                 ("ttft_ms", .optional(timeToFirstTokenMillis)), ("total_ms", .int(latencyMillis))])),
            ("latency_ms", .int(latencyMillis)), ("ttft_ms", .optional(timeToFirstTokenMillis)),
            ("trace_id", .optional(traceID)), ("request_body", .optional(requestBody)), ("response_body", .optional(responseBody)),
            ("attempts_detail", .array(attemptsShown.map(\.json))),
        ])
    }

    /// The stored attempts, or the one the row describes by itself (`impliedAttempt`).
    var attemptsShown: [RequestAttempt] {
        if !attemptDetails.isEmpty { return attemptDetails }
        return impliedAttempt.map { [$0] } ?? []
    }

    /// The attempt the row says all of: the first, on the row's provider and deployment, started when the queue ended and
    /// ended as the request did. A request answered by exactly this attempt stores no attempt row (two B-tree inserts
    /// fewer for most requests); rows logged before attempts were kept show it too.
    public var impliedAttempt: RequestAttempt? { withUnsafePointer(to: self) { Self.impliedAttempt(of: $0) } }

    /// `impliedAttempt` of the row at `row`, read in place.
    static func impliedAttempt(of row: UnsafePointer<RequestLogEntry>) -> RequestAttempt? {
        guard let provider = row.pointee.provider, row.pointee.attempts >= 1 else { return nil }
        var attempt = RequestAttempt(number: 1, provider: provider, upstreamModel: row.pointee.upstreamModel ?? "", status: row.pointee.status,
                                     outcome: row.pointee.errorType ?? "ok", latencyMillis: row.pointee.latencyMillis)
        attempt.deploymentID = row.pointee.deploymentID
        attempt.error = row.pointee.errorMessage ?? row.pointee.errorType
        attempt.startedMillis = row.pointee.queueMillis ?? 0
        attempt.connectMillis = row.pointee.connectMillis
        attempt.timeToFirstTokenMillis = row.pointee.timeToFirstTokenMillis
        return attempt
    }

    /// The attempts `request_attempts` must keep for the row at `row`: none when the row implies its only attempt exactly.
    static func attemptsToStore(of row: UnsafePointer<RequestLogEntry>) -> [RequestAttempt] {
        let details = row.pointee.attemptDetails
        return row.pointee.attempts == 1 && details.count == 1 && details.first == impliedAttempt(of: row) ? [] : details
    }

    /// Reads the JSON form back (spill replay); nil when a required field is missing.
    public init?(json: JSONValue) {
        guard let id = json["id"]?.stringValue, let created = json["created_at"]?.stringValue.flatMap(Timestamp.parse),
              let model = json["model"]?.stringValue, let status = json["status"]?.intValue,
              let latency = json["timings"]?["total_ms"]?.intValue else { return nil }
        let timings = json["timings"]
        self.init(id: id, createdAtMillis: created, model: model, provider: json["provider"]?.stringValue,
                  upstreamModel: json["upstream_model"]?.stringValue, status: status, errorType: json["error_type"]?.stringValue,
                  inputTokens: json["input_tokens"]?.intValue, outputTokens: json["output_tokens"]?.intValue,
                  stream: json["stream"]?.boolValue ?? false, attempts: json["attempts"]?.intValue ?? 0, latencyMillis: latency,
                  timeToFirstTokenMillis: timings?["ttft_ms"]?.intValue)
        endpoint = json["endpoint"]?.stringValue ?? "chat"
        clientRequestID = json["client_request_id"]?.stringValue
        keyID = json["key_id"]?.stringValue
        team = json["team"]?.stringValue
        deploymentID = json["deployment_id"]?.stringValue
        cachedTokens = json["cached_tokens"]?.intValue
        reasoningTokens = json["reasoning_tokens"]?.intValue
        if case .number(let text) = json["cost_usd"] { cost = Picodollars(decimal: text) ?? .zero }
        unpriced = json["unpriced"]?.boolValue ?? false
        cacheHit = json["cache_hit"]?.boolValue ?? false
        queueMillis = timings?["queue_ms"]?.intValue
        connectMillis = timings?["connect_ms"]?.intValue
        errorMessage = json["error_message"]?.stringValue
        traceID = json["trace_id"]?.stringValue
        requestBody = json["request_body"]?.stringValue
        responseBody = json["response_body"]?.stringValue
        attemptDetails = (json["attempts_detail"]?.arrayValue ?? []).compactMap(RequestAttempt.init(json:))
    }
}

extension RequestAttempt {
    /// The JSON form of one attempt.
    public var json: JSONValue {
        .object([("number", .int(number)), ("deployment_id", .optional(deploymentID)), ("provider", .string(provider)),
                 ("upstream_model", .string(upstreamModel)), ("status", .int(status)), ("outcome", .string(outcome)),
                 ("error_message", .optional(error)), ("latency_ms", .int(latencyMillis)), ("connect_ms", .optional(connectMillis)),
                 ("ttft_ms", .optional(timeToFirstTokenMillis)), ("started_ms", .optional(startedMillis))])
    }

    init?(json: JSONValue) {
        guard let number = json["number"]?.intValue, let provider = json["provider"]?.stringValue else { return nil }
        self.init(number: number, provider: provider, upstreamModel: json["upstream_model"]?.stringValue ?? "",
                  status: json["status"]?.intValue ?? 0, outcome: json["outcome"]?.stringValue ?? "",
                  latencyMillis: json["latency_ms"]?.intValue ?? 0)
        deploymentID = json["deployment_id"]?.stringValue
        error = json["error_message"]?.stringValue
        connectMillis = json["connect_ms"]?.intValue
        timeToFirstTokenMillis = json["ttft_ms"]?.intValue
        startedMillis = json["started_ms"]?.intValue
    }
}
