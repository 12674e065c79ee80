import Core
import Routing
import Telemetry

/// Closes one client request's accounting, once: stamps the caller on its log row, replaces the budget
/// reservation and the key/team token charge by what was actually used, reports soft budget limits crossed,
/// and queues the row.
final class RequestCompletion: @unchecked Sendable {
    // Safety: used on the event loop serving the request only.
    let caller: Caller
    let requestLog: RequestLogWriter
    let ledger: BudgetLedger
    let alerts: AlertNotifier
    let limits: RateLimits
    private let reservation: BudgetLedger.Reservation?
    private let limitScope: RateLimits.Scope
    private let chargedTokens: Int
    /// The request body as logged for keys with `log_bodies` (truncated), else nil.
    let loggedRequestBody: String?
    private var finished = false
    /// A cache miss this request fetches for identical ones: it gets the answer and is completed at the end.
    var cacheSlot: CacheSlot?

    init(caller: Caller, requestLog: RequestLogWriter, ledger: BudgetLedger, alerts: AlertNotifier, limits: RateLimits,
         reservation: BudgetLedger.Reservation?, limitScope: RateLimits.Scope, chargedTokens: Int, requestBody: [UInt8]) {
        self.caller = caller
        self.requestLog = requestLog
        self.ledger = ledger
        self.alerts = alerts
        self.limits = limits
        self.reservation = reservation
        self.limitScope = limitScope
        self.chargedTokens = chargedTokens
        loggedRequestBody = caller.key?.logBodies == true ? Self.loggable(requestBody) : nil
    }

    /// The most of a body kept in the log.
    static let maxLoggedBodyBytes = 16 * 1024

    /// A body as logged: valid UTF-8 text, cut at `maxLoggedBodyBytes` with a marker.
    static func loggable(_ body: [UInt8]) -> String {
        guard body.count > maxLoggedBodyBytes else { return String(decoding: body, as: UTF8.self) }
        return String(decoding: body.prefix(maxLoggedBodyBytes), as: UTF8.self) + "…[truncated, \(body.count) bytes]"
    }

    /// Settles and logs the request (later calls do nothing).
    func finish(_ entry: consuming RequestLogEntry) {
        guard !finished else { return }
        finished = true
        entry.keyID = caller.key?.id
        entry.team = caller.team?.id
        if entry.requestBody == nil { entry.requestBody = loggedRequestBody }
        if let reservation {
            for alert in ledger.settle(reservation, actual: entry.cost) { alerts.report(alert) }
        }
        if entry.unpriced {
            alerts.reportUnpriced(deploymentID: entry.deploymentID ?? "", model: entry.model, provider: entry.provider ?? "")
        }
        if !limitScope.limits.isEmpty {
            limits.settle(limitScope, charged: chargedTokens, actual: (entry.inputTokens ?? 0) + (entry.outputTokens ?? 0))
        }
        requestLog.record(consume entry)
        cacheSlot?.complete()
    }
}
