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
    public var inputPerMTokMicros: Int64
    public var outputPerMTokMicros: Int64
    public var cachedInputPerMTokMicros: Int64
    public var contextWindow: Int?
    public var maxOutputTokens: Int?
    public var weight: Int
    public var priority: Int
    public var rpm: Int?
    public var tpm: Int?
    public var enabled: Bool
    public var createdAt: Int64
    public var updatedAt: Int64

    public init(id: String, name: String, providerID: String, upstreamModel: String, inputPerMTokMicros: Int64 = 0,
                outputPerMTokMicros: Int64 = 0, cachedInputPerMTokMicros: Int64 = 0, contextWindow: Int? = nil,
                maxOutputTokens: Int? = nil, weight: Int = 1, priority: Int = 0, rpm: Int? = nil, tpm: Int? = nil,
                enabled: Bool = true, createdAt: Int64, updatedAt: Int64) {
        self.id = id
        self.name = name
        self.providerID = providerID
        self.upstreamModel = upstreamModel
        self.inputPerMTokMicros = inputPerMTokMicros
        self.outputPerMTokMicros = outputPerMTokMicros
        self.cachedInputPerMTokMicros = cachedInputPerMTokMicros
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

/// A page of rows plus the cursor of the next page.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var nextCursor: String?
    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}
