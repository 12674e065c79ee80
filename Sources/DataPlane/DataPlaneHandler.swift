import Core
import HTTPKit
import HTTPServer
import Providers
import Routing
import Synchronization
import Telemetry
import UpstreamClient

/// The data-plane listener's handler: OpenAI-compatible endpoints routed by the live config snapshot.
public final class DataPlaneHandler: HTTPHandler {
    enum Endpoint: Sendable {
        case chatCompletions
        case messages
        case embeddings
        case models
    }

    let snapshots: SnapshotPublisher
    let requestLog: RequestLogWriter
    let router: Router<Endpoint>
    /// Circuit breakers and disable reasons of every deployment, shared by all event loops.
    public let health = DeploymentHealth()
    /// Round-robin turns per route.
    let turns = RouteTurns()
    /// rpm/tpm buckets of providers and deployments.
    public let limits = RateLimits()
    /// Session pins per route.
    let affinity = SessionAffinity()
    /// Spend and reservations against key and team budgets.
    public let ledger = BudgetLedger()
    /// Reports soft budget limits crossed and unpriced models served (log, audit, webhook).
    public let alerts: AlertNotifier
    /// Answers of routes with caching on.
    public let cache: ResponseCache
    /// Live data planes sharing each key's and team's rate limits (told by the control plane; 1 alone).
    public let rateLimitReplicas = Atomic<Int>(1)
    /// On a data plane fed by a control plane, `/healthz` and `/readyz` are served here: the readiness
    /// status and body (config version and age). Nil where the admin listener serves them.
    let readiness: (@Sendable () -> (status: Int, body: JSONValue))?

    /// `recordAlert` writes a budget alert to the audit log.
    public init(snapshots: SnapshotPublisher, requestLog: RequestLogWriter, cache: ResponseCache = ResponseCache(),
                readiness: (@Sendable () -> (status: Int, body: JSONValue))? = nil,
                recordAlert: @escaping AlertNotifier.Recorder = { _, _, _, _ in }) {
        self.cache = cache
        self.readiness = readiness
        alerts = AlertNotifier(webhook: { snapshots.current.settings.alertWebhook }, record: recordAlert)
        self.snapshots = snapshots
        self.requestLog = requestLog
        var router = Router<Endpoint>()
        router.add("POST", "/v1/chat/completions", .chatCompletions)
        router.add("POST", "/v1/messages", .messages)
        router.add("POST", "/v1/embeddings", .embeddings)
        router.add("GET", "/v1/models", .models)
        self.router = router
    }

    public func handle(_ request: HTTPRequest, context: RequestContext, responder: HTTPResponder) {
        if let readiness, request.method == "GET", request.path == "/healthz" || request.path == "/readyz" {
            let (status, body) = request.path == "/healthz" ? (200, .object([("status", .string("ok"))])) : readiness()
            return responder.respond(.json(status, body))
        }
        let ids = RequestIDs.from(request.headers)
        let requestID = ids.response
        let snapshot = snapshots.current
        let caller: Caller
        switch Caller.authenticate(request.headers, snapshot: snapshot, isLoopback: context.isLoopbackPeer, now: Timestamp.nowMillis()) {
        case .success(let authenticated):
            caller = authenticated
        case .failure(let error):
            var headers = HTTPHeaders.switchyard(requestID: requestID)
            headers.add("www-authenticate", "Bearer")
            let dialect: ClientDialect = request.path == "/v1/messages" ? .anthropic : .openAI
            responder.respond(dialect.errorResponse(error, headers: headers))
            var entry = RequestLogEntry(id: ids.log, createdAtMillis: Timestamp.nowMillis(), model: "", status: error.status, latencyMillis: 0)
            entry.clientRequestID = ids.client
            entry.fail(with: error)
            requestLog.record(entry)
            return
        }
        switch router.match(method: request.method, path: request.path) {
        case .found(.chatCompletions, _):
            handler(context, snapshot)
                .handle(request, ids: ids, caller: caller, responder: responder)
        case .found(.messages, _):
            handler(context, snapshot)
                .handleMessages(request, ids: ids, caller: caller, responder: responder)
        case .found(.embeddings, _):
            handler(context, snapshot)
                .handleEmbeddings(request, ids: ids, caller: caller, responder: responder)
        case .found(.models, _):
            responder.respond(.json(200, modelList(snapshot, caller: caller), headers: .switchyard(requestID: requestID)))
        case .methodNotAllowed(let allowed):
            var headers = HTTPHeaders.switchyard(requestID: requestID)
            headers.add("allow", allowed.joined(separator: ", "))
            responder.respond(.gatewayError(GatewayError(status: 405, type: "invalid_request_error", code: "method_not_allowed",
                                                         message: "Method \(request.method) is not allowed on \(request.path)."),
                                            headers: headers))
        case .notFound:
            responder.respond(.gatewayError(GatewayError(status: 404, type: "invalid_request_error", code: "unknown_url",
                                                         message: "Unknown request URL: \(request.method) \(request.path)."),
                                            headers: .switchyard(requestID: requestID)))
        }
    }

    /// Starts the ledger of every budget in `snapshot` not tracked yet from what the request log says was
    /// spent in its current period (`spent(key, team, since)`, both nil for the global budget); call at start-up and after each
    /// config change.
    public func seedBudgets(_ snapshot: ConfigSnapshot, spent: (_ key: String?, _ team: String?, _ since: Int64) throws -> Picodollars) rethrows {
        try forEachBudget(snapshot) { scope, key, team in
            if !ledger.isTracking(scope) { ledger.seed(scope, spent: try spent(key, team, scope.budget.period.start(containing: ledger.clock()))) }
        }
    }

    /// On a data plane: sets every budget's spend from outside (the control plane's total over all replicas plus
    /// this replica's unshipped spend), `spent(key, team, since)` as for `seedBudgets`.
    public func adoptBudgets(_ snapshot: ConfigSnapshot, spent: (_ key: String?, _ team: String?, _ since: Int64) throws -> Picodollars?) rethrows {
        try forEachBudget(snapshot) { scope, key, team in
            if let total = try spent(key, team, scope.budget.period.start(containing: ledger.clock())) { ledger.adopt(scope, spent: total) }
        }
    }

    /// Calls `body` with each budget in `snapshot`: its ledger scope and the key or team it belongs to (neither: global).
    private func forEachBudget(_ snapshot: ConfigSnapshot, _ body: (BudgetLedger.Scope, String?, String?) throws -> Void) rethrows {
        for key in snapshot.keys.values {
            if let scope = Caller.scope(key) { try body(scope, key.id, nil) }
        }
        for team in snapshot.teams.values {
            if let scope = Caller.scope(team) { try body(scope, nil, team.id) }
        }
        if let scope = snapshot.settings.budget.map(Caller.scope) { try body(scope, nil, nil) }
    }

    func handler(_ context: RequestContext, _ snapshot: ConfigSnapshot) -> ChatCompletionsHandler {
        ChatCompletionsHandler(upstream: context.loop.upstreamClient, requestLog: requestLog, planner: planner(snapshot),
                               health: health, limits: limits, affinity: affinity,
                               idleWatch: context.loop.local(StreamIdleWatch.self) { StreamIdleWatch(reactor: context.loop) }, ledger: ledger, alerts: alerts,
                               rateLimitReplicas: rateLimitReplicas.load(ordering: .relaxed), cache: cache)
    }

    func planner(_ snapshot: ConfigSnapshot) -> RoutePlanner {
        RoutePlanner(snapshot: snapshot, health: health, turns: turns, affinity: affinity)
    }

    /// The public models the caller may use.
    func modelList(_ snapshot: ConfigSnapshot, caller: Caller) -> JSONValue {
        let names = snapshot.routeGroups.keys.sorted().filter { caller.key?.allows(model: $0) ?? true }
        return .object([("object", .string("list")), ("data", .array(names.map { name in
            let owner = snapshot.routeGroups[name]?.first?.provider.name ?? "switchyard"
            return .object([("id", .string(name)), ("object", .string("model")), ("created", .int(Int(snapshot.createdAtMillis / 1000))),
                            ("owned_by", .string(owner))])
        }))])
    }
}

/// A request's ids: `response`, what its `x-request-id` carries (the client's own when it sent a sane one, so it can
/// correlate), and `log`, the id of its request-log row, always the gateway's own: a client may send one id twice, and
/// each request needs a row of its own.
struct RequestIDs: Sendable {
    let response: String
    let log: String
    /// The client's own id, kept on the row beside the row's id.
    var client: String? { response == log ? nil : response }

    static func from(_ headers: HTTPHeaders) -> RequestIDs {
        let log = Identifier.sequential("req")
        if let given = headers["x-request-id"], !given.isEmpty, given.utf8.count <= 128,
           given.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 || $0 == 95 || $0 == 46 || $0 == 58 }) {
            return RequestIDs(response: given, log: log)
        }
        return RequestIDs(response: log, log: log)
    }
}

extension HTTPHeaders {
    /// The response headers every data-plane answer carries.
    static func switchyard(requestID: String, provider: String = "none", model: String = "none", attempts: Int = 0,
                           cache: String = "miss") -> HTTPHeaders {
        // Added one by one into the room `add` reserves: an array literal handed to the initialiser was a second array.
        var headers = HTTPHeaders()
        headers.add("x-request-id", requestID)
        headers.add("x-switchyard-provider", provider)
        headers.add("x-switchyard-model", model)
        headers.add("x-switchyard-attempts", String(attempts))
        headers.add("x-switchyard-cache", cache)
        return headers
    }
}

extension HTTPResponse {
    /// An error in the OpenAI shape, with `retry-after` kept where it applies.
    static func gatewayError(_ error: GatewayError, headers: HTTPHeaders) -> HTTPResponse {
        .json(error.status, error.json, headers: headers)
    }
}
