/// How a public model name's route group is served (the `routes` resource).
public struct RoutePolicy: Sendable, Equatable {
    /// How the deployments of one group are ordered for a request.
    public enum Strategy: String, Sendable, CaseIterable {
        case priority, roundRobin = "round_robin", weighted, leastLatency = "least_latency", lowestCost = "lowest_cost"
        case leastBusy = "least_busy"
    }

    public var name: String
    public var strategy: Strategy
    /// Other public names tried, in order, after every deployment of this one.
    public var fallbacks: [String]
    /// Extra attempts after the first (nil: the gateway's default).
    public var retries: Int?
    /// The whole request's deadline across attempts (nil: the longest provider total timeout).
    public var timeoutMillis: Int?
    /// How long a session stays on the deployment that served it last (nil: no affinity).
    public var affinityTTLSeconds: Int?
    /// Start a second attempt on the next deployment when the first has no response head after this long.
    public var hedgeAfterMillis: Int?
    /// How long answers are cached (nil: no caching).
    public var cacheTTLSeconds: Int?
    /// Refuse a request carrying a parameter the chosen model does not accept, instead of dropping the parameter.
    public var rejectUnsupportedParams = false
    /// Resume a stream cut after its first event on the next deployment (`stream_recovery: continue`).
    public var streamRecovery = false
    /// Timeouts that override each provider's for this route (nil fields keep the provider's).
    public var connectTimeoutMillis: Int?
    public var firstByteTimeoutMillis: Int?
    public var streamIdleTimeoutMillis: Int?

    /// `provider`'s timeouts with this route's overrides applied.
    public func timeouts(for provider: UpstreamTimeouts) -> UpstreamTimeouts {
        var timeouts = provider
        if let connectTimeoutMillis { timeouts.connectMillis = connectTimeoutMillis }
        if let firstByteTimeoutMillis { timeouts.firstByteMillis = firstByteTimeoutMillis }
        if let streamIdleTimeoutMillis { timeouts.streamIdleMillis = streamIdleTimeoutMillis }
        return timeouts
    }

    public init(name: String, strategy: Strategy = .priority, fallbacks: [String] = [], retries: Int? = nil, timeoutMillis: Int? = nil,
                affinityTTLSeconds: Int? = nil, hedgeAfterMillis: Int? = nil, rejectUnsupportedParams: Bool = false) {
        self.rejectUnsupportedParams = rejectUnsupportedParams
        self.hedgeAfterMillis = hedgeAfterMillis
        self.affinityTTLSeconds = affinityTTLSeconds
        self.name = name
        self.strategy = strategy
        self.fallbacks = fallbacks
        self.retries = retries
        self.timeoutMillis = timeoutMillis
    }
}
