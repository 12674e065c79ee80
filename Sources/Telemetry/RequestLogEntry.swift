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
    /// Every attempt, in order, when there was more than one (failover or retries).
    public var attemptDetails: [RequestAttempt] = []

    public init(id: String, createdAtMillis: Int64, model: String, provider: String? = nil, upstreamModel: String? = nil,
                status: Int, errorType: String? = nil, inputTokens: Int? = nil, outputTokens: Int? = nil, stream: Bool = false,
                attempts: Int = 0, latencyMillis: Int, timeToFirstTokenMillis: Int? = nil) {
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

    public init(number: Int, provider: String, upstreamModel: String, status: Int, outcome: String, latencyMillis: Int) {
        self.number = number
        self.provider = provider
        self.upstreamModel = upstreamModel
        self.status = status
        self.outcome = outcome
        self.latencyMillis = latencyMillis
    }
}
