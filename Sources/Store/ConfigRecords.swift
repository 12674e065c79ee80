/// A provider row.
public struct ProviderRecord: Sendable, Equatable {
    public var id: String
    public var name: String
    public var kind: String
    public var baseURL: String
    public var apiKeyRef: String?
    /// Kind-specific settings as JSON object text.
    public var settings: String
    public var rpm: Int?
    public var tpm: Int?
    public var connectTimeoutMillis: Int?
    public var firstByteTimeoutMillis: Int?
    public var totalTimeoutMillis: Int?
    public var streamIdleTimeoutMillis: Int?
    public var enabled: Bool
    public var createdAt: Int64
    public var updatedAt: Int64

    public init(id: String, name: String, kind: String, baseURL: String, apiKeyRef: String?, settings: String = "{}",
                rpm: Int? = nil, tpm: Int? = nil, connectTimeoutMillis: Int? = nil, firstByteTimeoutMillis: Int? = nil,
                totalTimeoutMillis: Int? = nil, streamIdleTimeoutMillis: Int? = nil, enabled: Bool = true, createdAt: Int64, updatedAt: Int64) {
        self.streamIdleTimeoutMillis = streamIdleTimeoutMillis
        self.id = id
        self.name = name
        self.kind = kind
        self.baseURL = baseURL
        self.apiKeyRef = apiKeyRef
        self.settings = settings
        self.rpm = rpm
        self.tpm = tpm
        self.connectTimeoutMillis = connectTimeoutMillis
        self.firstByteTimeoutMillis = firstByteTimeoutMillis
        self.totalTimeoutMillis = totalTimeoutMillis
        self.enabled = enabled
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A model deployment row.
public struct ModelRecord: Sendable, Equatable {
    public var id: String
    public var name: String
    public var providerID: String
    public var upstreamModel: String
    /// The price schedule, earliest first; empty for an unpriced model.
    public var prices: [PriceRecord]
    public var contextWindow: Int?
    public var maxOutputTokens: Int?
    public var weight: Int
    public var priority: Int
    public var rpm: Int?
    public var tpm: Int?
    public var enabled: Bool
    public var createdAt: Int64
    public var updatedAt: Int64

    public init(id: String, name: String, providerID: String, upstreamModel: String, prices: [PriceRecord] = [],
                contextWindow: Int? = nil,
                maxOutputTokens: Int? = nil, weight: Int = 1, priority: Int = 0, rpm: Int? = nil, tpm: Int? = nil,
                enabled: Bool = true, createdAt: Int64, updatedAt: Int64) {
        self.id = id
        self.name = name
        self.providerID = providerID
        self.upstreamModel = upstreamModel
        self.prices = prices
        self.contextWindow = contextWindow
        self.maxOutputTokens = maxOutputTokens
        self.weight = weight
        self.priority = priority
        self.rpm = rpm
        self.tpm = tpm
        self.enabled = enabled
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// One entry of a model's price schedule, in micro-dollars per million tokens.
public struct PriceRecord: Sendable, Equatable {
    /// Unix milliseconds from which this price applies (0: always).
    public var effectiveFrom: Int64
    public var inputMicros: Int64
    public var outputMicros: Int64
    /// 0: cached input costs the input price.
    public var cachedInputMicros: Int64
    /// nil: reasoning output costs the output price.
    public var reasoningMicros: Int64?
    public init(effectiveFrom: Int64 = 0, inputMicros: Int64, outputMicros: Int64, cachedInputMicros: Int64 = 0, reasoningMicros: Int64? = nil) {
        self.effectiveFrom = effectiveFrom
        self.inputMicros = inputMicros
        self.outputMicros = outputMicros
        self.cachedInputMicros = cachedInputMicros
        self.reasoningMicros = reasoningMicros
    }
}

/// A page of rows plus the cursor of the next page.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var nextCursor: String?
    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}
