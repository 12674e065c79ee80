import Core

/// One row of the request log: what a client asked for, who answered, and how it went.
public struct RequestLogEntry: Sendable, Equatable {
    public var id: String
    public var createdAtMillis: Int64
    public var model: String
    public var provider: String?
    public var upstreamModel: String?
    public var status: Int
    public var errorType: String?
    public var inputTokens: Int?
    public var outputTokens: Int?
    public var stream: Bool
    public var attempts: Int
    public var latencyMillis: Int
    public var timeToFirstTokenMillis: Int?
    /// Every attempt, in order.
    public var attemptDetails: [RequestAttempt] = []
    /// Which API the client called: `chat`, `messages` or `embeddings`.
    public var endpoint = "chat"
    /// The virtual key's id and its team, when the client presented a key.
    public var keyID: String?
    public var team: String?
    /// The deployment that answered (or was last tried).
    public var deploymentID: String?
    public var cachedTokens: Int?
    public var reasoningTokens: Int?
    /// Exact cost of the tokens used, at the answering deployment's prices.
    public var cost = Picodollars.zero
    /// The answering deployment has no price, so `cost` is not known (never silently zero).
    public var unpriced = false
    public var cacheHit = false
    /// From arrival to the first upstream attempt (routing, admission, waiting for a slot).
    public var queueMillis: Int?
    /// Upstream connection set-up of the answering attempt (0 on a reused connection).
    public var connectMillis: Int?
    public var errorMessage: String?
    /// The client's own `x-request-id`, when it sent one (the row's `id` is always the gateway's: a client may send an
    /// id twice).
    public var clientRequestID: String?
    /// The W3C trace id the request ran under (the client's `traceparent`, or one the gateway started).
    public var traceID: String?
    /// Bodies, truncated, only for keys with `log_bodies`.
    public var requestBody: String?
    public var responseBody: String?

    /// A row with the fields known when a request's attempt starts. Inlined where rows are made, so the row is built in
    /// place: a row set up by assignments after a call was copied out and the original destroyed, a retain and a release of
    /// each of its strings.
    @inlinable
    public init(id: String, createdAtMillis: Int64, model: String, provider: String? = nil, upstreamModel: String? = nil,
                status: Int, errorType: String? = nil, inputTokens: Int? = nil, outputTokens: Int? = nil, stream: Bool = false,
                attempts: Int = 0, latencyMillis: Int, timeToFirstTokenMillis: Int? = nil, endpoint: String = "chat",
                deploymentID: String? = nil, queueMillis: Int? = nil, clientRequestID: String? = nil, traceID: String? = nil) {
        self.id = id
        self.createdAtMillis = createdAtMillis
        self.model = model
        self.provider = provider
        self.upstreamModel = upstreamModel
        self.status = status
        self.errorType = errorType
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.stream = stream
        self.attempts = attempts
        self.latencyMillis = latencyMillis
        self.timeToFirstTokenMillis = timeToFirstTokenMillis
        self.endpoint = endpoint
        self.deploymentID = deploymentID
        self.queueMillis = queueMillis
        self.clientRequestID = clientRequestID
        self.traceID = traceID
    }
}

extension RandomAccessCollection where Element == RequestLogEntry {
    /// Runs `body` with the rows in contiguous memory (an array's own; other collections are copied into one), for
    /// readers that take a row's fields through a pointer: a row handed to a function, even `borrowing`, from an array
    /// or buffer is copied first, a retain and a release of each of its strings (five copies a row in the writer).
    func withContiguousRows<Result>(_ body: (UnsafeBufferPointer<RequestLogEntry>) throws -> Result) rethrows -> Result {
        if let result = try withContiguousStorageIfAvailable(body) { return result }
        return try Array(self).withUnsafeBufferPointer(body)
    }
}

/// One attempt of a request on one deployment.
public struct RequestAttempt: Sendable, Equatable {
    public var number: Int
    public var provider: String
    public var upstreamModel: String
    /// The upstream's HTTP status, or 0 when none came (connection error, timeout).
    public var status: Int
    /// `ok`, or why the attempt failed (an error code or reason).
    public var outcome: String
    public var latencyMillis: Int
    public var deploymentID: String?
    /// The error message when the attempt failed (never containing secrets).
    public var error: String?
    public var connectMillis: Int?
    public var timeToFirstTokenMillis: Int?
    /// When the attempt started, in ms after the request arrived.
    public var startedMillis: Int?

    public init(number: Int, provider: String, upstreamModel: String, status: Int, outcome: String, latencyMillis: Int) {
        self.number = number
        self.provider = provider
        self.upstreamModel = upstreamModel
        self.status = status
        self.outcome = outcome
        self.latencyMillis = latencyMillis
    }
}

extension RequestLogEntry {
    /// Marks the row as answered with `error`.
    public mutating func fail(with error: GatewayError) {
        status = error.status
        errorType = error.code ?? error.type
        errorMessage = error.message
    }

    /// Records the tokens used and what they cost at `pricing`; an unpriced deployment's row is flagged,
    /// never costed at zero silently.
    public mutating func charge(_ usage: TokenUsage?, at pricing: Pricing?) {
        guard let usage else { return }
        inputTokens = usage.inputTokens
        outputTokens = usage.outputTokens
        cachedTokens = usage.cachedInputTokens
        reasoningTokens = usage.reasoningTokens
        cost = pricing.map { Picodollars(usage: usage, pricing: $0) } ?? .zero
        unpriced = pricing == nil && usage.inputTokens + usage.outputTokens > 0
    }
}
