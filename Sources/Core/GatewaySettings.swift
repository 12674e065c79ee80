/// What the gateway does with a model deployment that has no price in force.
public enum UnpricedPolicy: String, Sendable, CaseIterable {
    /// Refuse requests to it (403 `model_unpriced`): nothing is served at an unknown cost.
    case block
    /// Serve them, flagging each request `unpriced` in the log, the usage API and the metrics.
    case flag
}

/// Where budget alerts are posted: a URL and the resolved HMAC-SHA256 signing secret.
public struct AlertWebhook: Sendable {
    public var url: String
    /// The signing secret, or nil when the reference is absent or could not be resolved.
    public var secret: String?
    /// Why the secret reference could not be resolved (never contains the secret).
    public var secretProblem: String?
    public init(url: String, secret: String?, secretProblem: String? = nil) {
        self.url = url
        self.secret = secret
        self.secretProblem = secretProblem
    }
}

/// Gateway-wide settings as the data plane sees them.
public struct GatewaySettings: Sendable {
    public var unpricedPolicy: UnpricedPolicy
    /// The global budget: every request is charged to it, whoever sends it.
    public var budget: Budget?
    public var alertWebhook: AlertWebhook?
    public init(unpricedPolicy: UnpricedPolicy = .block, budget: Budget? = nil, alertWebhook: AlertWebhook? = nil) {
        self.unpricedPolicy = unpricedPolicy
        self.budget = budget
        self.alertWebhook = alertWebhook
    }
}
