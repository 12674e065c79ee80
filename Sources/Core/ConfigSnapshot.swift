/// Per-provider upstream timeouts in milliseconds.
public struct UpstreamTimeouts: Sendable, Equatable {
    public var connectMillis: Int
    public var firstByteMillis: Int
    public var totalMillis: Int
    /// The longest gap between two pieces of a stream.
    public var streamIdleMillis: Int
    public init(connectMillis: Int = 5_000, firstByteMillis: Int = 60_000, totalMillis: Int = 600_000, streamIdleMillis: Int = 60_000) {
        self.streamIdleMillis = streamIdleMillis
        self.connectMillis = connectMillis
        self.firstByteMillis = firstByteMillis
        self.totalMillis = totalMillis
    }
}

/// A provider as the data plane sees it, with its API key already resolved.
public struct ProviderConfig: Sendable {
    public var id: String
    public var name: String
    public var kind: ProviderKind
    public var baseURL: String
    /// The resolved key, or nil when the reference is absent or could not be resolved.
    public var apiKey: String?
    /// Why the key reference could not be resolved (never contains the secret).
    public var apiKeyProblem: String?
    /// A PEM bundle to trust for the upstream's TLS certificate, instead of the system's.
    public var caFile: String?
    /// `settings.api_version`: Azure's `api-version` query value, Anthropic's `anthropic-version` header.
    public var apiVersion: String?
    /// `settings.region`: the AWS region Bedrock requests are signed for.
    public var region: String?
    public var timeouts: UpstreamTimeouts
    public var enabled: Bool
    /// Requests and tokens per minute across all of this provider's deployments.
    public var rpm: Int?
    public var tpm: Int?
    /// Changes whenever anything that could cure an auth failure changes (endpoint, key, region, version):
    /// a deployment disabled for rejected credentials is tried again once it does. Computed once per snapshot.
    public let healthFingerprint: String

    public init(id: String, name: String, kind: ProviderKind, baseURL: String, apiKey: String?, apiKeyProblem: String?,
                caFile: String? = nil, apiVersion: String? = nil, region: String? = nil, timeouts: UpstreamTimeouts, enabled: Bool,
                rpm: Int? = nil, tpm: Int? = nil) {
        healthFingerprint = Crypto.sha256Hex(Array([baseURL, apiKey ?? "", apiKeyProblem ?? "", region ?? "", apiVersion ?? ""]
            .joined(separator: "\u{1}").utf8))
        self.rpm = rpm
        self.tpm = tpm
        self.region = region
        self.caFile = caFile
        self.apiVersion = apiVersion
        self.id = id
        self.name = name
        self.kind = kind
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.apiKeyProblem = apiKeyProblem
        self.timeouts = timeouts
        self.enabled = enabled
    }
}

/// Prices per million tokens, in micro-dollars.
public struct Pricing: Sendable, Equatable {
    public var inputPerMTok: Micros
    public var outputPerMTok: Micros
    /// Zero: cached input costs the input price.
    public var cachedInputPerMTok: Micros
    /// nil: reasoning output costs the output price.
    public var reasoningPerMTok: Micros?
    public init(inputPerMTok: Micros = .zero, outputPerMTok: Micros = .zero, cachedInputPerMTok: Micros = .zero, reasoningPerMTok: Micros? = nil) {
        self.inputPerMTok = inputPerMTok
        self.outputPerMTok = outputPerMTok
        self.cachedInputPerMTok = cachedInputPerMTok
        self.reasoningPerMTok = reasoningPerMTok
    }
}

/// A deployment's prices over time: each entry applies from its start until the next one starts. Requests
/// are costed at the price in force when they arrive; an empty schedule is an unpriced deployment.
public struct PriceSchedule: Sendable, Equatable {
    /// One price and the Unix milliseconds it applies from (0: always).
    public struct Entry: Sendable, Equatable {
        public var effectiveFromMillis: Int64
        public var pricing: Pricing
        public init(effectiveFromMillis: Int64, pricing: Pricing) {
            self.effectiveFromMillis = effectiveFromMillis
            self.pricing = pricing
        }
    }

    /// Earliest first.
    public let entries: [Entry]

    public init(_ entries: [Entry]) { self.entries = entries.sorted { $0.effectiveFromMillis < $1.effectiveFromMillis } }

    /// One price, in force always.
    public init(always pricing: Pricing) { self.init([Entry(effectiveFromMillis: 0, pricing: pricing)]) }

    public static let unpriced = PriceSchedule([])

    /// The price in force at `millis`, or nil when none is (the deployment is unpriced then).
    public func pricing(at millis: Int64) -> Pricing? {
        entries.last { $0.effectiveFromMillis <= millis }?.pricing
    }
}

/// One model deployment: a public name served by one provider's upstream model.
public struct ModelDeployment: Sendable {
    public var id: String
    public var name: String
    public var providerID: String
    public var upstreamModel: String
    public var prices: PriceSchedule
    public var priority: Int
    public var weight: Int
    public var enabled: Bool
    /// The model's context window in tokens, when known: longer prompts skip this deployment.
    public var contextWindow: Int?
    /// The most output tokens one answer can have, when known.
    public var maxOutputTokens: Int?
    /// Requests and tokens per minute on this deployment.
    public var rpm: Int?
    public var tpm: Int?
    /// Request parameters the model refuses (from the catalog entry of its provider kind and upstream model).
    public var unsupportedParams: Set<String> = []

    public init(id: String, name: String, providerID: String, upstreamModel: String, prices: PriceSchedule, priority: Int,
                weight: Int, enabled: Bool, contextWindow: Int? = nil, rpm: Int? = nil, tpm: Int? = nil) {
        self.rpm = rpm
        self.tpm = tpm
        self.contextWindow = contextWindow
        self.id = id
        self.name = name
        self.providerID = providerID
        self.upstreamModel = upstreamModel
        self.prices = prices
        self.priority = priority
        self.weight = weight
        self.enabled = enabled
    }
}

/// A deployment with its provider, as routing offers it to a request. Made once per snapshot and shared: a request
/// routed to it retains one object, where copying the two structs retained each of their strings.
public final class RouteCandidate: Sendable {
    public let deployment: ModelDeployment
    public let provider: ProviderConfig

    public init(deployment: ModelDeployment, provider: ProviderConfig) {
        self.deployment = deployment
        self.provider = provider
    }
}

/// An immutable, versioned view of the whole configuration; the data plane reads only this. A class: every
/// request takes the live one, and sharing it costs one reference count instead of a copy of each of its fields.
public final class ConfigSnapshot: Sendable {
    public let version: Int
    public let createdAtMillis: Int64
    public let providers: [String: ProviderConfig]
    /// Enabled deployments of enabled providers, with their provider, by public name, best first (priority, then
    /// creation order).
    public let routeGroups: [String: [RouteCandidate]]
    /// Route policies by public name; a name without one is served by priority.
    public let routes: [String: RoutePolicy]
    /// Virtual keys by the hex SHA-256 of their secret; once there is any, every client must present one.
    public let keys: [String: VirtualKey]
    public let teams: [String: Team]
    public let settings: GatewaySettings

    public init(version: Int, createdAtMillis: Int64, providers: [ProviderConfig], models: [ModelDeployment], routes: [RoutePolicy] = [],
                keys: [String: VirtualKey] = [:], teams: [Team] = [], settings: GatewaySettings = GatewaySettings()) {
        self.settings = settings
        self.routes = Dictionary(routes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.keys = keys
        self.teams = Dictionary(teams.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.version = version
        self.createdAtMillis = createdAtMillis
        var byID: [String: ProviderConfig] = [:]
        for provider in providers { byID[provider.id] = provider }
        self.providers = byID
        var groups: [String: [RouteCandidate]] = [:]
        for model in models where model.enabled {
            guard let provider = byID[model.providerID], provider.enabled else { continue }
            groups[model.name, default: []].append(RouteCandidate(deployment: model, provider: provider))
        }
        for (name, members) in groups {
            groups[name] = members.enumerated().sorted { a, b in
                let (x, y) = (a.element.deployment, b.element.deployment)
                return x.priority != y.priority ? x.priority < y.priority : a.offset < b.offset
            }.map(\.element)
        }
        self.routeGroups = groups
    }

    /// The policy for `name`: its configured route, or priority order with the defaults.
    public func route(_ name: String) -> RoutePolicy { routes[name] ?? RoutePolicy(name: name) }

    /// The snapshot before any configuration is loaded.
    public static let empty = ConfigSnapshot(version: 0, createdAtMillis: 0, providers: [], models: [])
}
