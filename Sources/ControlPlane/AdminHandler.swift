import Core
import Dispatch
import HTTPKit
import HTTPServer
import Store
import Synchronization
import Telemetry

/// The admin listener: token-authenticated JSON API under `/admin/v1`, plus `/healthz` and `/readyz`.
/// Requests are answered on one serial queue, so config writes never race and never block an event loop.
public final class AdminHandler: HTTPHandler {
    enum Route: Sendable {
        case healthz, readyz, openAPI
        case listProviders, createProvider, getProvider, patchProvider, deleteProvider
        case listModels, createModel, getModel, patchModel, deleteModel
        case listRoutes, getRoute, putRoute, deleteRoute
        case listCatalog, createCatalogEntry, getCatalogEntry, patchCatalogEntry, deleteCatalogEntry
        case listTeams, createTeam, getTeam, patchTeam, deleteTeam
        case listKeys, createKey, getKey, patchKey, deleteKey, keySpend
        case listSecrets, putSecret, deleteSecret
        case getSettings, patchSettings
        case configVersions, configVersion, configDiff, configExport, configImport, configRollback
        /// The data planes' channel (their token or the admin token).
        case configWatch, usageIngest, budgetState
        case config, audit, listRequests, getRequest, usage, forecast, health, explainRoute, metrics
    }

    let config: ConfigService
    let adminToken: [UInt8]
    let logger: Logger
    let router: Router<Route>
    let queue = DispatchQueue(label: "switchyard.admin")

    /// The data plane's health report (`GET /admin/v1/health`).
    let healthReport: @Sendable () -> JSONValue
    /// The data plane's route explanation for a chat request body (`POST /admin/v1/route/explain`).
    let explainRoute: @Sendable ([UInt8]) -> (status: Int, body: JSONValue)
    /// The Prometheus exposition text (`GET /metrics`).
    let metrics: @Sendable () -> String

    /// `admin/openapi.json`, served at `/admin/v1/openapi.json` (nil when the binary was installed without it).
    let openAPIDocument: [UInt8]?
    /// The dashboard's static files (`/` and `/ui/...`).
    let dashboard: DashboardAssets
    /// Data planes that asked for budget state lately: how many share each key's rate limits.
    let liveReplicas = LiveReplicas()
    /// The SHA-256 of the token data planes present (nil: no data planes).
    let dataPlaneToken: [UInt8]?
    /// Writes request-log rows shipped by a data plane, durably, before they are acknowledged; returns how many
    /// were new (a row already logged is not counted twice).
    let ingestUsage: (@Sendable ([RequestLogEntry]) throws -> Int)?

    public init(config: ConfigService, adminToken: String, logger: Logger, openAPIDocument: [UInt8]? = nil, dashboard: DashboardAssets = DashboardAssets(directory: nil),
                dataPlaneToken: String? = nil,
                ingestUsage: (@Sendable ([RequestLogEntry]) throws -> Int)? = nil,
                healthReport: @escaping @Sendable () -> JSONValue,
                explainRoute: @escaping @Sendable ([UInt8]) -> (status: Int, body: JSONValue),
                metrics: @escaping @Sendable () -> String) {
        self.healthReport = healthReport
        self.openAPIDocument = openAPIDocument
        self.dashboard = dashboard
        self.dataPlaneToken = dataPlaneToken.map { Crypto.sha256(Array($0.utf8)) }
        self.ingestUsage = ingestUsage
        self.metrics = metrics
        self.explainRoute = explainRoute
        self.config = config
        self.adminToken = Crypto.sha256(Array(adminToken.utf8))
        // Audit entries name the token by the start of its hash, never by the token.
        config.actor = "admin-token:" + String(Crypto.hex(self.adminToken).prefix(12))
        self.logger = logger
        var router = Router<Route>()
        router.add("GET", "/healthz", .healthz)
        router.add("GET", "/readyz", .readyz)
        router.add("GET", "/admin/v1/openapi.json", .openAPI)
        router.add("GET", "/admin/v1/providers", .listProviders)
        router.add("POST", "/admin/v1/providers", .createProvider)
        router.add("GET", "/admin/v1/providers/{id}", .getProvider)
        router.add("PATCH", "/admin/v1/providers/{id}", .patchProvider)
        router.add("DELETE", "/admin/v1/providers/{id}", .deleteProvider)
        router.add("GET", "/admin/v1/models", .listModels)
        router.add("POST", "/admin/v1/models", .createModel)
        router.add("GET", "/admin/v1/models/{id}", .getModel)
        router.add("PATCH", "/admin/v1/models/{id}", .patchModel)
        router.add("DELETE", "/admin/v1/models/{id}", .deleteModel)
        router.add("GET", "/admin/v1/routes", .listRoutes)
        router.add("GET", "/admin/v1/routes/{name}", .getRoute)
        router.add("PUT", "/admin/v1/routes/{name}", .putRoute)
        router.add("DELETE", "/admin/v1/routes/{name}", .deleteRoute)
        router.add("GET", "/admin/v1/catalog", .listCatalog)
        router.add("POST", "/admin/v1/catalog", .createCatalogEntry)
        router.add("GET", "/admin/v1/catalog/{id}", .getCatalogEntry)
        router.add("PATCH", "/admin/v1/catalog/{id}", .patchCatalogEntry)
        router.add("DELETE", "/admin/v1/catalog/{id}", .deleteCatalogEntry)
        router.add("GET", "/admin/v1/teams", .listTeams)
        router.add("POST", "/admin/v1/teams", .createTeam)
        router.add("GET", "/admin/v1/teams/{id}", .getTeam)
        router.add("PATCH", "/admin/v1/teams/{id}", .patchTeam)
        router.add("DELETE", "/admin/v1/teams/{id}", .deleteTeam)
        router.add("GET", "/admin/v1/keys", .listKeys)
        router.add("POST", "/admin/v1/keys", .createKey)
        router.add("GET", "/admin/v1/keys/{id}", .getKey)
        router.add("PATCH", "/admin/v1/keys/{id}", .patchKey)
        router.add("DELETE", "/admin/v1/keys/{id}", .deleteKey)
        router.add("GET", "/admin/v1/keys/{id}/spend", .keySpend)
        router.add("GET", "/admin/v1/secrets", .listSecrets)
        router.add("PUT", "/admin/v1/secrets/{name}", .putSecret)
        router.add("DELETE", "/admin/v1/secrets/{name}", .deleteSecret)
        router.add("GET", "/admin/v1/settings", .getSettings)
        router.add("PATCH", "/admin/v1/settings", .patchSettings)
        router.add("GET", "/admin/v1/config", .config)
        router.add("GET", "/admin/v1/config/versions", .configVersions)
        router.add("GET", "/admin/v1/config/versions/{id}", .configVersion)
        router.add("GET", "/admin/v1/config/diff", .configDiff)
        router.add("GET", "/admin/v1/config/export", .configExport)
        router.add("POST", "/admin/v1/config/import", .configImport)
        router.add("POST", "/admin/v1/config/rollback", .configRollback)
        router.add("GET", "/admin/v1/config/watch", .configWatch)
        router.add("POST", "/admin/v1/usage/ingest", .usageIngest)
        router.add("GET", "/admin/v1/budgets/state", .budgetState)
        router.add("GET", "/admin/v1/audit", .audit)
        router.add("GET", "/admin/v1/health", .health)
        router.add("POST", "/admin/v1/route/explain", .explainRoute)
        router.add("GET", "/admin/v1/requests", .listRequests)
        router.add("GET", "/admin/v1/requests/{id}", .getRequest)
        router.add("GET", "/admin/v1/usage", .usage)
        router.add("GET", "/admin/v1/usage/forecast", .forecast)
        router.add("GET", "/metrics", .metrics)
        self.router = router
    }

    public func handle(_ request: HTTPRequest, context: RequestContext, responder: HTTPResponder) {
        if let response = dashboard.response(method: request.method, path: request.path) {
            return responder.respond(response)
        }
        switch router.match(method: request.method, path: request.path) {
        case .notFound:
            responder.respond(AdminError(404, "no such endpoint: \(request.method) \(request.path)").response)
        case .methodNotAllowed(let allowed):
            var response = AdminError(405, "method \(request.method) is not allowed here").response
            response.headers.add("allow", allowed.joined(separator: ", "))
            responder.respond(response)
        case .found(let route, let parameters):
            let dataPlaneChannel = route == .configWatch || route == .usageIngest || route == .budgetState
            let allowed = route == .healthz || route == .readyz || route == .openAPI || isAuthorized(request)
                || (dataPlaneChannel && isDataPlane(request))
            if !allowed {
                var response = AdminError(401, "missing or invalid admin token (Authorization: Bearer <token>)").response
                response.headers.add("www-authenticate", "Bearer")
                responder.respond(response)
                return
            }
            if route == .configWatch {
                watch(request, responder)
                return
            }
            queue.async { [self] in
                do {
                    responder.respond(try perform(route, request, parameters))
                } catch let error as AdminError {
                    responder.respond(error.response)
                } catch let error as StoreError where error.isUniqueViolation {
                    responder.respond(AdminError.conflict("a resource with the same unique fields already exists", field: "name").response)
                } catch let error as StoreError where error.isOutOfSpace || error.isStorageFailure {
                    // Nothing was committed; the data plane keeps serving the last published config.
                    logger.error("admin write failed: storage", [("path", String(request.path)), ("sqlite_code", String(error.code))])
                    responder.respond(error.isOutOfSpace
                        ? AdminError(507, "the database's disk is full: the change was not saved (the gateway keeps serving the current config)").response
                        : AdminError(503, "the database cannot be written: the change was not saved (the gateway keeps serving the current config)").response)
                } catch {
                    logger.error("admin request failed", [("path", String(request.path)), ("error", "\(error)")])
                    responder.respond(AdminError(500, "internal error").response)
                }
            }
        }
    }

    /// `GET /budgets/state`: what every budget of the live config has spent in its current period, over every
    /// data plane (from the usage they shipped); data planes add their unshipped spend and enforce the sum.
    func budgetState(replica: String?) throws -> JSONValue {
        let snapshot = config.publisher.current
        let replicas = liveReplicas.seen(replica)
        let now = Timestamp.nowMillis()
        var scopes: [(key: String?, team: String?, budget: Budget)] = snapshot.keys.values.compactMap { key in key.budget.map { (key.id, nil, $0) } }
        scopes += snapshot.teams.values.compactMap { team in team.budget.map { (nil, team.id, $0) } }
        if let global = snapshot.settings.budget { scopes.append((nil, nil, global)) }
        let entries = try config.database.read { connection in
            try scopes.map { scope -> JSONValue in
                let since = scope.budget.period.start(containing: now)
                let spent = try RequestLogRepository(connection).spent(key: scope.key, team: scope.team, since: since)
                return .object([("key", .optional(scope.key)), ("team", .optional(scope.team)), ("since", .int(Int(since))),
                                ("spent_pusd", .int(Int(spent.value)))])
            }
        }
        return .object([("version", .int(snapshot.version)), ("replicas", .int(replicas)), ("budgets", .array(entries))])
    }

    /// The data planes seen in the last few seconds, by the id each sends with its budget-state polls.
    final class LiveReplicas: Sendable {
        static let windowMillis: UInt64 = 5_000
        private let lastSeen = Mutex<[String: UInt64]>([:])

        /// Notes `replica` (when given) and returns how many were seen within the window (at least 1).
        func seen(_ replica: String?) -> Int {
            let now = Timestamp.monotonicNanos() / 1_000_000
            return lastSeen.withLock { seen in
                if let replica, replica.utf8.count <= 64 { seen[replica] = now }
                seen = seen.filter { now - $0.value <= Self.windowMillis }
                return max(1, seen.count)
            }
        }
    }

    /// True for the data-plane token (accepted on the data planes' channel only).
    func isDataPlane(_ request: HTTPRequest) -> Bool {
        guard let dataPlaneToken, let header = request.headers["authorization"], header.hasPrefix("Bearer ") else { return false }
        return Crypto.constantTimeEqual(Crypto.sha256(Array(header.dropFirst(7).utf8)), dataPlaneToken)
    }

    /// `GET /config/watch?after=N&timeout_s=S`: the live version's distribution at once when it is newer than N,
    /// else when the next version is published, else 204 after S seconds (default 25). Checked and registered on
    /// the admin queue, where versions are published, so a publish in between is never missed.
    func watch(_ request: HTTPRequest, _ responder: HTTPResponder) {
        let query = request.query
        guard let after = Int(query["after"] ?? "0"), after >= 0, let timeout = Int(query["timeout_s"] ?? "25"), (0...120).contains(timeout) else {
            responder.respond(AdminError(400, "after must be a version number and timeout_s 0 to 120").response)
            return
        }
        let answer: @Sendable (Bool) -> Void = { [self] changed in
            queue.async { [self] in
                guard changed else { return responder.respond(HTTPResponse(status: 204)) }
                do {
                    responder.respond(.json(200, try config.distribution()))
                } catch {
                    logger.error("config distribution failed", [("error", "\(error)")])
                    responder.respond(AdminError(500, "internal error").response)
                }
            }
        }
        queue.async { [self] in
            if config.publisher.current.version > after {
                answer(true)
            } else {
                config.watchers.wait(after: after, timeoutMillis: timeout * 1000, answer: answer)
            }
        }
    }

    func isAuthorized(_ request: HTTPRequest) -> Bool {
        guard let header = request.headers["authorization"], header.hasPrefix("Bearer ") else { return false }
        return Crypto.constantTimeEqual(Crypto.sha256(Array(header.dropFirst(7).utf8)), adminToken)
    }

    func perform(_ route: Route, _ request: HTTPRequest, _ parameters: PathParameters) throws -> HTTPResponse {
        let id = parameters["id"] ?? ""
        switch route {
        case .healthz:
            return .json(200, .object([("status", .string("ok"))]))
        case .openAPI:
            guard let openAPIDocument else { throw AdminError(404, "the OpenAPI document is not installed (admin/openapi.json; see --admin-dir)") }
            return HTTPResponse(status: 200, headers: HTTPHeaders("content-type", "application/json"), body: openAPIDocument)
        case .readyz:
            let version = try config.read { try $0.currentVersion() }
            return .json(200, .object([("status", .string("ready")), ("config_version", .int(version))]))
        case .listProviders, .createProvider, .getProvider, .patchProvider, .deleteProvider:
            return try ProviderEndpoints(config: config).perform(route, request, id: id)
        case .listModels, .createModel, .getModel, .patchModel, .deleteModel:
            return try ModelEndpoints(config: config).perform(route, request, id: id)
        case .listRoutes, .getRoute, .putRoute, .deleteRoute:
            return try RouteEndpoints(config: config).perform(route, request, name: parameters["name"] ?? "")
        case .listCatalog, .createCatalogEntry, .getCatalogEntry, .patchCatalogEntry, .deleteCatalogEntry:
            return try CatalogEndpoints(config: config).perform(route, request, id: id)
        case .listTeams, .createTeam, .getTeam, .patchTeam, .deleteTeam, .listKeys, .createKey, .getKey, .patchKey, .deleteKey:
            return try AccessEndpoints(config: config).perform(route, request, id: id)
        case .listSecrets, .putSecret, .deleteSecret:
            return try SecretEndpoints(config: config).perform(route, request, name: parameters["name"] ?? "")
        case .getSettings, .patchSettings:
            return try SettingsEndpoints(config: config).perform(route, request)
        case .keySpend:
            return try AnalyticsEndpoints(database: config.database).keySpend(key: try AccessEndpoints(config: config).key(id), request)
        case .config:
            return try configDocument()
        case .configVersions, .configVersion, .configDiff, .configExport, .configImport, .configRollback:
            return try ConfigEndpoints(config: config).perform(route, request, id: id)
        case .configWatch:
            throw AdminError(500, "unexpected route")
        case .budgetState:
            return .json(200, try budgetState(replica: request.headers["x-switchyard-replica"]))
        case .usageIngest:
            guard let ingestUsage else { throw AdminError(404, "this control plane does not take usage from data planes") }
            let rows = try FieldReader(body: request.body, allowed: ["rows"]).raw("rows")?.arrayValue ?? []
            let entries = try rows.enumerated().map { index, row in
                guard let entry = RequestLogEntry(json: row) else { throw AdminError.invalid("rows[\(index)]", "is not a request-log row") }
                return entry
            }
            let inserted = try ingestUsage(entries)
            return .json(200, .object([("received", .int(entries.count)), ("inserted", .int(inserted))]))
        case .audit:
            let (limit, cursor) = try Pagination.read(request.query)
            let page = try config.read { try $0.audit(limit: limit, cursor: cursor, resource: request.query["resource"]) }
            return Pagination.response(page.items.map(Self.render), next: page.nextCursor)
        case .health:
            // As CSV: one line per deployment.
            let report = healthReport()
            return try CSVExport.answer(.object([("data", report["deployments"] ?? .array([])), ("next_cursor", .null)]),
                                        request: request, filename: "health", json: report)
        case .explainRoute:
            let (status, body) = explainRoute(request.body)
            return .json(status, body)
        case .listRequests:
            return try AnalyticsEndpoints(database: config.database).requests(request)
        case .getRequest:
            return try AnalyticsEndpoints(database: config.database).request(id: id)
        case .usage:
            return try AnalyticsEndpoints(database: config.database).usage(request)
        case .forecast:
            return try AnalyticsEndpoints(database: config.database).forecast(request)
        case .metrics:
            var response = HTTPResponse(status: 200, body: Array(metrics().utf8))
            response.headers.add("content-type", "text/plain; version=0.0.4; charset=utf-8")
            return response
        }
    }

    static func render(_ a: AuditRecord) -> JSONValue {
        let parse: (String?) -> JSONValue = { text in text.flatMap { try? JSONParser.parse($0) } ?? .null }
        return .object([("id", .int(Int(a.id))), ("at", .string(Timestamp.iso8601(a.at))), ("actor", .string(a.actor)),
                        ("action", .string(a.action)), ("resource", .string(a.resource)), ("resource_id", .string(a.resourceID)),
                        ("config_version", .int(a.configVersion)), ("summary", .string(a.summary)), ("before", parse(a.before)),
                        ("after", parse(a.after))])
    }

    func configDocument() throws -> HTTPResponse {
        let (version, providers, models, routes) = try config.read { repository in
            (try repository.currentVersion(), try repository.providers().items, try repository.models().items, try repository.routes().items)
        }
        let names = Dictionary(uniqueKeysWithValues: providers.map { ($0.id, $0.name) })
        return .json(200, .object([
            ("version", .int(version)),
            ("providers", .array(providers.map(ProviderPayload.render))),
            ("models", .array(models.map { ModelPayload.render($0, providerName: names[$0.providerID]) })),
            ("routes", .array(routes.map(RouteEndpoints.render))),
        ]))
    }
}
