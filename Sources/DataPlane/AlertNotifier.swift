import Core
import Dispatch
import Routing
import Synchronization
import UpstreamClient

/// Reports cost alerts: each soft budget limit crossed (once per budget and period, as the ledger decides)
/// and each unpriced deployment served (once per deployment while the process runs). Each is a log line,
/// an audit entry (through `record`), and, when an alert webhook is configured, a JSON POST signed with
/// HMAC-SHA256 over `<timestamp>.<body>` in `x-switchyard-signature: sha256=<hex>` (the timestamp, Unix
/// seconds, in `x-switchyard-timestamp`, so a receiver can refuse replays), retried with backoff when the
/// receiver is down or answers 429/5xx. Delivery runs on its own queue, never on an event loop.
public final class AlertNotifier: Sendable {
    /// Records an alert in the audit log: its summary, the resource it is about and the alert document.
    public typealias Recorder = @Sendable (_ summary: String, _ resource: String, _ id: String, _ alert: JSONValue) -> Void

    private let queue = DispatchQueue(label: "cost-alerts")
    /// Deployments already reported as served unpriced.
    private let reportedUnpriced = Mutex<Set<String>>([])
    private let record: Recorder
    private let webhook: @Sendable () -> AlertWebhook?
    /// Waits before each retry; the delivery gives up after the last.
    private let retryDelaysMillis: [Int]
    private let timeoutMillis: Int
    static let logger = Logger(label: "alerts")

    /// `webhook` reads the configured webhook when an alert is sent (the live config's).
    public init(webhook: @escaping @Sendable () -> AlertWebhook?, record: @escaping Recorder = { _, _, _, _ in },
                retryDelaysMillis: [Int] = [1_000, 2_000, 4_000, 8_000, 16_000], timeoutMillis: Int = 10_000) {
        self.webhook = webhook
        self.record = record
        self.retryDelaysMillis = retryDelaysMillis
        self.timeoutMillis = timeoutMillis
    }

    /// Reports `alert`: logs it now, then records and posts it on the notifier's queue.
    func report(_ alert: BudgetLedger.SoftAlert, now: Int64 = Timestamp.nowMillis()) {
        let budget = alert.scope.budget
        Self.logger.warning("budget soft limit reached", [
            ("budget", alert.scope.label), ("spent_usd", alert.spent.description), ("limit_usd", budget.limit.description),
            ("period", budget.period.rawValue), ("soft_limit_pct", String(budget.softLimitPercent ?? 100)),
        ])
        let parts = alert.scope.key.split(separator: ":", maxSplits: 1).map(String.init)
        publish(Self.document(alert, now: now), type: "budget.soft_limit", resource: "budget", id: parts.count > 1 ? parts[1] : parts[0],
                summary: "\(alert.scope.label) reached \(budget.softLimitPercent ?? 100)% of its \(budget.period.rawValue) budget")
    }

    /// Reports that `entry`'s deployment, which has no price, served a request (the `flag` unpriced policy);
    /// once per deployment while the process runs, so its cost is known to be unknown without a line per request.
    func reportUnpriced(deploymentID: String, model: String, provider: String, now: Int64 = Timestamp.nowMillis()) {
        guard reportedUnpriced.withLock({ $0.insert(deploymentID).inserted }) else { return }
        Self.logger.warning("serving an unpriced model: its requests are flagged unpriced, their cost unknown",
                            [("model", model), ("provider", provider), ("deployment_id", deploymentID)])
        let document: JSONValue = .object([
            ("id", .string(Identifier.make("alert"))), ("type", .string("model.unpriced")), ("at", .string(Timestamp.iso8601(now))),
            ("model", .object([("name", .string(model)), ("provider", .string(provider)), ("deployment_id", .string(deploymentID))])),
        ])
        publish(document, type: "model.unpriced", resource: "model", id: deploymentID,
                summary: "model \(model) on \(provider) served without a price (unpriced_policy: flag)")
    }

    /// Records `document` and posts it to the webhook, on the notifier's queue.
    private func publish(_ document: JSONValue, type: String, resource: String, id: String, summary: String) {
        queue.async { [self] in
            record(summary, resource, id, document)
            guard let webhook = webhook() else { return }
            guard webhook.secretProblem == nil else {
                Self.logger.error("alert webhook not called: its signing secret cannot be resolved",
                                  [("host", Self.host(webhook.url)), ("problem", webhook.secretProblem ?? "")])
                return
            }
            deliver(Array(JSONWriter.string(document).utf8), type: type, to: webhook, attempt: 0)
        }
    }

    /// The alert as posted and audited.
    static func document(_ alert: BudgetLedger.SoftAlert, now: Int64) -> JSONValue {
        let budget = alert.scope.budget
        let parts = alert.scope.key.split(separator: ":", maxSplits: 1).map(String.init)
        return .object([
            ("id", .string(Identifier.make("alert"))), ("type", .string("budget.soft_limit")), ("at", .string(Timestamp.iso8601(now))),
            ("budget", .object([("scope", .string(parts[0])), ("id", .optional(parts.count > 1 ? parts[1] : nil)),
                                ("label", .string(alert.scope.label)), ("limit_usd", budget.limit.json),
                                ("period", .string(budget.period.rawValue)), ("soft_limit_pct", .optional(budget.softLimitPercent))])),
            ("spent_usd", alert.spent.json), ("period_start", .string(Timestamp.iso8601(alert.periodStart))),
            ("period_end", .optional(budget.period.end(afterStart: alert.periodStart).map(Timestamp.iso8601))),
        ])
    }

    /// The headers of a webhook post of `body` at `timestamp` (Unix seconds), signed when there is a secret.
    static func headers(body: [UInt8], type: String, secret: String?, timestamp: Int64) -> [String] {
        var headers = ["content-type: application/json", "user-agent: switchyard", "x-switchyard-event: \(type)",
                       "x-switchyard-timestamp: \(timestamp)"]
        if let secret {
            let signature = Crypto.hmacSHA256(key: Array(secret.utf8), Array("\(timestamp).".utf8) + body)
            headers.append("x-switchyard-signature: sha256=" + Crypto.hex(signature))
        }
        return headers
    }

    /// The scheme and host of a URL, for logs (a webhook URL's path or query may itself be a credential).
    static func host(_ url: String) -> String {
        let parts = url.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[0].hasSuffix(":"), parts[1].isEmpty else { return "?" }
        let authority = parts[2].prefix { $0 != "?" && $0 != "#" }
        return parts[0] + "//" + (authority.split(separator: "@").last ?? "")
    }

    private func deliver(_ body: [UInt8], type: String, to webhook: AlertWebhook, attempt: Int) {
        let headers = Self.headers(body: body, type: type, secret: webhook.secret, timestamp: Timestamp.nowMillis() / 1000)
        let outcome = BlockingHTTP.send(webhook.url, headers: headers, body: body, timeoutMillis: timeoutMillis).map(\.status)
        let problem: String
        switch outcome {
        case .success(let status) where (200..<300).contains(status):
            return
        case .success(let status) where status == 429 || status >= 500:
            problem = "HTTP \(status)"
        case .success(let status):
            Self.logger.error("alert webhook refused the alert; not retried", [("host", Self.host(webhook.url)), ("status", String(status))])
            return
        case .failure(let failure):
            problem = failure.description
        }
        guard attempt < retryDelaysMillis.count else {
            Self.logger.error("alert webhook failed; giving up", [("host", Self.host(webhook.url)), ("attempts", String(attempt + 1)), ("error", problem)])
            return
        }
        Self.logger.warning("alert webhook failed; retrying", [("host", Self.host(webhook.url)), ("attempt", String(attempt + 1)), ("error", problem)])
        queue.asyncAfter(deadline: .now() + .milliseconds(retryDelaysMillis[attempt])) { [self] in
            deliver(body, type: type, to: webhook, attempt: attempt + 1)
        }
    }
}
