import ControlPlane
import Core
import DataPlane
import HTTPKit
import HTTPServer
import Store
import Telemetry

/// Everything `switchyard serve` runs, wired together; `stop()` drains and flushes.
final class Gateway: Sendable {
    let dataServer: HTTPServer
    let adminServer: HTTPServer
    let requestLog: RequestLogWriter
    let logger = Logger(label: "switchyard")

    let metrics: GatewayMetrics

    init(options: ServeOptions) throws {
        Logger.setMinimumLevel(options.logLevel)
        let directory = try DataDirectory(path: options.dataDir)
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
        if options.dataPlaneToken == nil {
            _ = try DataDirectory.secret(at: directory.file("data-plane-token")) { "sy-dp-" + Crypto.hex(Crypto.randomBytes(24)) }
        }

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
        let errorBody: @Sendable (Int, String) -> HTTPResponse = { status, message in
            let type = status == 413 ? "invalid_request_error" : (status >= 500 ? "api_error" : "invalid_request_error")
            let code: String? = status == 413 ? "request_too_large" : (status == 408 ? "request_timeout" : nil)
            return .json(status, GatewayError(status: status, type: type, code: code, message: message).json)
        }
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
        dataServer = try HTTPServer(
            configuration: HTTPServerConfiguration(host: data.host, port: data.port, limits: limits, headerTimeoutMillis: options.headerTimeoutMillis,
                                                   idleTimeoutMillis: options.idleTimeoutMillis, logger: Logger(label: "data-plane"),
                                                   errorResponse: errorBody),
            handler: dataPlane)
        let admin = options.adminListen
        adminServer = try HTTPServer(
            configuration: HTTPServerConfiguration(host: admin.host, port: admin.port, loopCount: 1, limits: limits,
                                                   logger: Logger(label: "admin"), errorResponse: { status, message in
                .json(status, .object([("error", .object([("message", .string(message)), ("field", .null)]))]))
            }),
            handler: AdminHandler(config: config, adminToken: adminToken, logger: Logger(label: "admin"),
                                  openAPIDocument: InstalledDirectory.admin.locate(configured: options.adminDir).flatMap { Platform.readFile($0 + "/openapi.json") },
                                  healthReport: {
                HealthReport.json(snapshot: publisher.current, health: dataPlane.health, limits: dataPlane.limits)
            }, explainRoute: { body in dataPlane.explainRoute(body) }, metrics: { [requestLog] in
                metrics.render(gauges: OperationalGauges.all(snapshot: publisher.current, health: dataPlane.health, requestLog: requestLog))
            }))
        Platform.printOutput("switchyard: data plane listening on \(dataServer.url)\n")
        Platform.printOutput("switchyard: admin API listening on \(adminServer.url)\n")
    }

    /// Stops accepting, lets in-flight requests finish (up to 30 s), and flushes the request log.
    func stop() {
        logger.info("shutting down: draining in-flight requests")
        dataServer.shutdown(graceSeconds: 30)
        adminServer.shutdown(graceSeconds: 5)
        requestLog.close()
        logger.info("stopped")
    }
}
