import ControlPlane
import Core
import DataPlane
import HTTPKit
import HTTPServer
import Store
import Synchronization
import Telemetry

/// Everything `switchyard serve` runs, wired together for its role; `stop()` drains and flushes.
/// `all` runs both listeners on one SQLite database; `control-plane` only the admin listener (data planes
/// follow its config and ship their usage to it); `data-plane` only the completions listener, fed by a
/// control plane, with its own database as the buffer of its request log.
final class Gateway: Sendable {
    let dataServer: HTTPServer?
    let adminServer: HTTPServer?
    let requestLog: RequestLogWriter
    let follower: ConfigFollower?
    let shipper: UsageShipper?
    let budgetSync: BudgetSync?
    let logger = Logger(label: "switchyard")

    let metrics: GatewayMetrics

    init(options: ServeOptions) throws {
        Logger.setMinimumLevel(options.logLevel)
        let directory = try DataDirectory(path: options.dataDir)
        if options.role == "data-plane" {
            (dataServer, requestLog, follower, shipper, budgetSync, metrics) = try Self.dataPlane(options, directory)
            adminServer = nil
            return
        }
        follower = nil
        shipper = nil
        budgetSync = nil
        let adminToken: String
        if let token = options.adminToken {
            adminToken = token
        } else {
            let file = options.adminTokenFile ?? directory.file("admin-token")
            adminToken = try DataDirectory.secret(at: file) { "sy-admin-" + Crypto.hex(Crypto.randomBytes(24)) }
            Platform.printOutput("switchyard: admin token in \(file)\n")
        }
        guard adminToken.utf8.count >= 16 else { throw DataDirectoryError(message: "the admin token must be at least 16 characters") }
        let dbPath = options.db ?? directory.file("switchyard.db")
        let adminDatabase = try Database(path: dbPath)
        let masterKeyFile = options.masterKeyFile ?? directory.file("master-key")
        if options.masterKey == nil && Platform.exists(masterKeyFile) {
            try RotateMasterKey.finishInterrupted(keyFile: masterKeyFile, database: adminDatabase)
        }
        let masterKey = try options.masterKey ?? DataDirectory.secret(at: masterKeyFile) { Base64.encode(Crypto.randomBytes(32)) }
        guard Base64.decode(masterKey)?.count == 32 else {
            throw DataDirectoryError(message: "the master key must be base64 of exactly 32 bytes")
        }
        let dataPlaneToken = try options.dataPlaneToken
            ?? DataDirectory.secret(at: directory.file("data-plane-token")) { "sy-dp-" + Crypto.hex(Crypto.randomBytes(24)) }

        guard let migrations = InstalledDirectory.migrations.locate(configured: options.migrationsDir) else {
            throw DataDirectoryError(message: "cannot find the migrations directory; pass --migrations-dir")
        }
        try Migrator(directory: migrations).migrate(adminDatabase)
        let logDatabase = try Database(path: dbPath)
        try logDatabase.tuneForBulkWrites()

        let publisher = SnapshotPublisher()
        let config = ConfigService(database: adminDatabase, publisher: publisher, masterKey: Base64.decode(masterKey) ?? [])
        let created = try Bootstrap.seed(config, demoUpstream: options.demoUpstream, environment: Platform.environment)
        for name in created { logger.info("registered provider on first start", [("provider", name)]) }
        try config.publishCurrent()
        logger.info("configuration loaded", [("version", String(publisher.current.version))])

        let metrics = GatewayMetrics()
        self.metrics = metrics
        requestLog = RequestLogWriter(database: logDatabase, spillPath: directory.file("request-log.spill"),
                                      retention: RequestLogRetention(requestDays: options.requestRetentionDays,
                                                                     usageDays: options.usageRetentionDays),
                                      observers: [metrics.observe, AccessLog.write])
        let limits = HTTPParserLimits(maxHeadBytes: options.maxHeaderBytes, maxBodyBytes: options.maxBodyBytes)
        let errorBody = Self.errorBody
        let dataPlane = DataPlaneHandler(snapshots: publisher, requestLog: requestLog, cache: ResponseCache(maxBytes: options.cacheMaxBytes),
                                         recordAlert: { summary, resource, id, alert in
                                             config.recordAlert(summary: summary, resource: resource, id: id, alert: alert)
                                         })
        // Budgets start from what the request log says each key and team spent in the current period.
        let logger = logger
        let seedBudgets: (ConfigSnapshot) -> Void = { snapshot in
            do {
                try dataPlane.seedBudgets(snapshot) { key, team, since in
                    try adminDatabase.read { try RequestLogRepository($0).spent(key: key, team: team, since: since) }
                }
            } catch {
                logger.error("could not read budget spend from the request log", [("error", "\(error)")])
            }
        }
        seedBudgets(publisher.current)
        config.onPublish = seedBudgets
        let data = options.listen
        dataServer = options.role == "control-plane" ? nil : try HTTPServer(
            configuration: HTTPServerConfiguration(host: data.host, port: data.port, limits: limits, headerTimeoutMillis: options.headerTimeoutMillis,
                                                   idleTimeoutMillis: options.idleTimeoutMillis, logger: Logger(label: "data-plane"),
                                                   errorResponse: errorBody),
            handler: dataPlane)
        let admin = options.adminListen
        let adminDirectory = InstalledDirectory.admin.locate(configured: options.adminDir)
        adminServer = try HTTPServer(
            configuration: HTTPServerConfiguration(host: admin.host, port: admin.port, loopCount: 1, limits: limits,
                                                   logger: Logger(label: "admin"), errorResponse: { status, message in
                .json(status, .object([("error", .object([("message", .string(message)), ("field", .null)]))]))
            }),
            handler: AdminHandler(config: config, adminToken: adminToken, logger: Logger(label: "admin"),
                                  openAPIDocument: adminDirectory.flatMap { Platform.readFile($0 + "/openapi.json") },
                                  dashboard: DashboardAssets(directory: adminDirectory.map { $0 + "/dashboard" }),
                                  dataPlaneToken: dataPlaneToken,
                                  ingestUsage: { [metrics] entries in
                                      // Stored before the data plane is told, so an acknowledged row is never lost.
                                      let skipped = try logDatabase.write { try RequestLogRepository($0).record(entries) }
                                      let inserted = entries.excluding(skipped)
                                      metrics.observe(inserted)
                                      return inserted.count
                                  },
                                  healthReport: {
                HealthReport.json(snapshot: publisher.current, health: dataPlane.health, limits: dataPlane.limits)
            }, explainRoute: { body in dataPlane.explainRoute(body) }, metrics: { [requestLog] in
                metrics.render(gauges: OperationalGauges.all(snapshot: publisher.current, health: dataPlane.health, requestLog: requestLog))
            }))
        if let dataServer { Platform.printOutput("switchyard: data plane listening on \(dataServer.url)\n") }
        Platform.printOutput("switchyard: admin API listening on \(adminServer!.url)\n")
    }

    /// A data plane: its own database for the request log (the buffer of what is shipped to the control
    /// plane), the config followed from the control plane (or its cached copy), completions on `--listen`.
    private static func dataPlane(_ options: ServeOptions, _ directory: DataDirectory) throws
        -> (HTTPServer, RequestLogWriter, ConfigFollower, UsageShipper, BudgetSync, GatewayMetrics) {
        guard let controlPlane = options.controlPlane,
              let token = options.dataPlaneToken ?? Platform.readTrimmedText(directory.file("data-plane-token")) else {
            throw DataDirectoryError(message: "a data plane needs the control plane's data-plane token: --data-plane-token or <data-dir>/data-plane-token")
        }
        guard let migrations = InstalledDirectory.migrations.locate(configured: options.migrationsDir) else {
            throw DataDirectoryError(message: "cannot find the migrations directory; pass --migrations-dir")
        }
        let database = try Database(path: options.db ?? directory.file("switchyard.db"))
        try Migrator(directory: migrations).migrate(database)
        try database.tuneForBulkWrites()
        let metrics = GatewayMetrics()
        let requestLog = RequestLogWriter(database: database, spillPath: directory.file("request-log.spill"),
                                          retention: RequestLogRetention(requestDays: options.requestRetentionDays, usageDays: options.usageRetentionDays),
                                          observers: [metrics.observe, AccessLog.write])
        let publisher = SnapshotPublisher()
        let readiness = FollowerReadiness()
        let dataPlane = DataPlaneHandler(snapshots: publisher, requestLog: requestLog, cache: ResponseCache(maxBytes: options.cacheMaxBytes),
                                         readiness: { readiness.report() })
        let logger = Logger(label: "switchyard")
        // Budgets on a data plane start from the spend it logged itself (shared budgets are the control plane's).
        let follower = ConfigFollower(controlPlane: controlPlane, token: token, cachePath: directory.file("config-cache"), publisher: publisher) { snapshot in
            do {
                try dataPlane.seedBudgets(snapshot) { key, team, since in
                    try database.read { try RequestLogRepository($0).spent(key: key, team: team, since: since) }
                }
            } catch {
                logger.error("could not read budget spend from the request log", [("error", "\(error)")])
            }
        }
        readiness.follower.withLock { $0 = follower }
        readiness.dataPlane.withLock { $0 = dataPlane }
        try follower.start(waitMillis: 5_000)
        let shipper = UsageShipper(controlPlane: controlPlane, token: token, database: database, cursorPath: directory.file("usage-shipped"))
        shipper.start()
        // Shared budgets: the control plane's total over every replica plus what this one has not shipped yet.
        let budgetSync = BudgetSync(controlPlane: controlPlane, token: token) { shared, replicas in
            dataPlane.rateLimitReplicas.store(replicas, ordering: .relaxed)
            let cursor = shipper.cursor.load(ordering: .relaxed)
            do {
                try dataPlane.adoptBudgets(publisher.current) { key, team, since in
                    guard let total = shared[BudgetSync.Spend(key: key, team: team, since: since)] else { return nil }
                    let unshipped = try database.read {
                        try RequestLogRepository($0).unshippedSpent(afterRowid: cursor, key: key, team: team, since: since)
                    }
                    return Picodollars(total.value + unshipped.value)
                }
            } catch {
                logger.error("could not read unshipped spend from the request log", [("error", "\(error)")])
            }
        }
        budgetSync.start()
        let limits = HTTPParserLimits(maxHeadBytes: options.maxHeaderBytes, maxBodyBytes: options.maxBodyBytes)
        let data = options.listen
        let server = try HTTPServer(
            configuration: HTTPServerConfiguration(host: data.host, port: data.port, limits: limits, headerTimeoutMillis: options.headerTimeoutMillis,
                                                   idleTimeoutMillis: options.idleTimeoutMillis, logger: Logger(label: "data-plane"),
                                                   errorResponse: Self.errorBody),
            handler: dataPlane)
        Platform.printOutput("switchyard: data plane listening on \(server.url)\n")
        return (server, requestLog, follower, shipper, budgetSync, metrics)
    }

    /// The body of errors the data-plane listener answers itself (400, 408, 413, 431, ...), in the OpenAI shape.
    static let errorBody: @Sendable (Int, String) -> HTTPResponse = { status, message in
        let type = status == 413 ? "invalid_request_error" : (status >= 500 ? "api_error" : "invalid_request_error")
        let code: String? = status == 413 ? "request_too_large" : (status == 408 ? "request_timeout" : nil)
        return .json(status, GatewayError(status: status, type: type, code: code, message: message).json)
    }

    /// Stops accepting, lets in-flight requests finish (up to 30 s), flushes the request log and, on a data
    /// plane, ships what it can of it before exiting (the rest is sent after the next start).
    func stop() {
        logger.info("shutting down: draining in-flight requests")
        dataServer?.shutdown(graceSeconds: 30)
        adminServer?.shutdown(graceSeconds: 5)
        follower?.stop()
        budgetSync?.stop()
        requestLog.close()
        shipper?.drain(timeoutMillis: 5_000)
        logger.info("stopped")
    }
}

/// A data plane's `/readyz`: ready once it has a config, with its version and age.
final class FollowerReadiness: Sendable {
    let follower = Mutex<ConfigFollower?>(nil)
    let dataPlane = Mutex<DataPlaneHandler?>(nil)

    func report() -> (status: Int, body: JSONValue) {
        guard let state = follower.withLock({ $0 })?.state else { return (503, .object([("status", .string("waiting for config"))])) }
        let replicas = dataPlane.withLock { $0 }?.rateLimitReplicas.load(ordering: .relaxed) ?? 1
        return (200, .object([("status", .string("ready")), ("config_version", .int(state.version)), ("config_age_ms", .int(Int(state.ageMillis))),
                              ("role", .string("data-plane")), ("rate_limit_replicas", .int(replicas))]))
    }
}
