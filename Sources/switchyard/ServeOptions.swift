import Core
import HTTPServer

/// `switchyard serve` settings from flags and environment (a flag wins over its variable).
struct ServeOptions {
    var listen = ListenAddress("127.0.0.1:8080")!
    var adminListen = ListenAddress("127.0.0.1:8081")!
    var dataDir = "./var"
    var db: String?
    var adminTokenFile: String?
    var adminToken: String?
    var masterKeyFile: String?
    var masterKey: String?
    var role = "all"
    var controlPlane: String?
    var dataPlaneToken: String?
    var demoUpstream: String?
    var migrationsDir: String?
    var adminDir: String?
    var maxBodyBytes = 10 * 1024 * 1024
    var maxHeaderBytes = 32 * 1024
    var headerTimeoutMillis = 10_000
    var idleTimeoutMillis = 60_000
    var logLevel = Logger.Level.info
    var requestRetentionDays = 30
    var usageRetentionDays = 400
    var cacheMaxBytes = 64 * 1024 * 1024

    struct UsageError: Error, CustomStringConvertible {
        let description: String
    }

    static let flags: [(flag: String, env: String, help: String)] = [
        ("--listen", "SWITCHYARD_LISTEN", "data-plane address (default 127.0.0.1:8080)"),
        ("--admin-listen", "SWITCHYARD_ADMIN_LISTEN", "admin API address (default 127.0.0.1:8081)"),
        ("--data-dir", "SWITCHYARD_DATA_DIR", "directory for the database and generated secrets (default ./var)"),
        ("--db", "SWITCHYARD_DB", "SQLite database path (default <data-dir>/switchyard.db)"),
        ("--admin-token-file", "SWITCHYARD_ADMIN_TOKEN", "admin token file; the variable holds the token itself"),
        ("--master-key-file", "SWITCHYARD_MASTER_KEY", "master key file; the variable holds base64 of 32 bytes"),
        ("--role", "SWITCHYARD_ROLE", "all (default), control-plane (admin API and SQLite, no completions) or data-plane (completions only)"),
        ("--control-plane", "SWITCHYARD_CONTROL_PLANE", "control plane URL (its admin listener), for --role data-plane"),
        ("--data-plane-token", "SWITCHYARD_DATA_PLANE_TOKEN", "token data planes present to the control plane (default: <data-dir>/data-plane-token)"),
        ("--demo-upstream", "SWITCHYARD_DEMO_UPSTREAM", "on first start, register a 'demo' model served by this OpenAI-compatible URL"),
        ("--migrations-dir", "SWITCHYARD_MIGRATIONS_DIR", "directory of NNNN_name.sql migrations (default: found next to the binary or ./migrations)"),
        ("--admin-dir", "SWITCHYARD_ADMIN_DIR", "directory of the admin assets, openapi.json among them (default: found next to the binary or ./admin)"),
        ("--max-body-bytes", "SWITCHYARD_MAX_BODY_BYTES", "largest accepted request body (default 10485760)"),
        ("--max-header-bytes", "SWITCHYARD_MAX_HEADER_BYTES", "largest request line plus headers (default 32768)"),
        ("--header-timeout-ms", "SWITCHYARD_HEADER_TIMEOUT_MS", "time to receive a request's head, else 408 (default 10000)"),
        ("--idle-timeout-ms", "SWITCHYARD_IDLE_TIMEOUT_MS", "idle keep-alive connections are closed after this (default 60000)"),
        ("--log-level", "SWITCHYARD_LOG_LEVEL", "debug, info (default), warn or error: the lowest level written to stderr"),
        ("--request-retention-days", "SWITCHYARD_REQUEST_RETENTION_DAYS", "keep raw request-log rows (and minute rollups) this long (default 30)"),
        ("--usage-retention-days", "SWITCHYARD_USAGE_RETENTION_DAYS", "keep hourly and daily usage rollups this long (default 400)"),
        ("--cache-max-bytes", "SWITCHYARD_CACHE_MAX_BYTES", "memory for cached answers of routes with caching on (default 67108864)"),
    ]

    static func usage() -> String {
        var text = "usage: switchyard serve [options]\n\n"
        for entry in flags {
            text += "  " + entry.flag + String(repeating: " ", count: max(1, 21 - entry.flag.count)) + "\(entry.help) [\(entry.env)]\n"
        }
        return text
    }

    init(arguments: [String], environment: [String: String]) throws {
        var given: [String: String] = [:]
        var index = 0
        while index < arguments.count {
            var argument = arguments[index]
            var inline: String?
            if let equals = argument.firstIndex(of: "=") {
                inline = String(argument[argument.index(after: equals)...])
                argument = String(argument[..<equals])
            }
            guard Self.flags.contains(where: { $0.flag == argument }) else { throw UsageError(description: "unknown option \(argument)") }
            if let inline {
                given[argument] = inline
            } else {
                guard index + 1 < arguments.count else { throw UsageError(description: "\(argument) needs a value") }
                index += 1
                given[argument] = arguments[index]
            }
            index += 1
        }
        var values = given
        for entry in Self.flags where values[entry.flag] == nil {
            if let value = environment[entry.env] { values[entry.flag] = value }
        }
        // Checked here, before anything is created on disk.
        listen = try values["--listen"].map(Self.address) ?? listen
        adminListen = try values["--admin-listen"].map(Self.address) ?? adminListen
        dataDir = values["--data-dir"] ?? dataDir
        db = values["--db"]
        // For these two the variable carries the secret itself and the flag a file path; the flag wins.
        adminTokenFile = given["--admin-token-file"]
        adminToken = adminTokenFile == nil ? environment["SWITCHYARD_ADMIN_TOKEN"] : nil
        masterKeyFile = given["--master-key-file"]
        masterKey = masterKeyFile == nil ? environment["SWITCHYARD_MASTER_KEY"] : nil
        role = values["--role"] ?? role
        controlPlane = values["--control-plane"]
        dataPlaneToken = values["--data-plane-token"]
        demoUpstream = values["--demo-upstream"]
        migrationsDir = values["--migrations-dir"]
        adminDir = values["--admin-dir"]
        maxBodyBytes = try Self.positive(values, "--max-body-bytes") ?? maxBodyBytes
        maxHeaderBytes = try Self.positive(values, "--max-header-bytes") ?? maxHeaderBytes
        headerTimeoutMillis = try Self.positive(values, "--header-timeout-ms") ?? headerTimeoutMillis
        idleTimeoutMillis = try Self.positive(values, "--idle-timeout-ms") ?? idleTimeoutMillis
        if let text = values["--log-level"] {
            guard let level = Logger.Level(label: text) else { throw UsageError(description: "--log-level must be debug, info, warn or error") }
            logLevel = level
        }
        requestRetentionDays = try Self.positive(values, "--request-retention-days") ?? requestRetentionDays
        usageRetentionDays = try Self.positive(values, "--usage-retention-days") ?? usageRetentionDays
        cacheMaxBytes = try Self.positive(values, "--cache-max-bytes") ?? cacheMaxBytes
        guard ["all", "control-plane", "data-plane"].contains(role) else {
            throw UsageError(description: "--role must be all, control-plane or data-plane")
        }
        if role == "data-plane" {
            guard let controlPlane, controlPlane.hasPrefix("http://") || controlPlane.hasPrefix("https://") else {
                throw UsageError(description: "--role data-plane needs --control-plane http(s)://host:port (the control plane's admin listener)")
            }
        }
    }

    /// A listen address flag's value.
    static func address(_ text: String) throws -> ListenAddress {
        guard let address = ListenAddress(text) else { throw UsageError(description: "'\(text)' is not host:port") }
        return address
    }

    /// A flag's value as a positive integer, nil when not given.
    static func positive(_ values: [String: String], _ flag: String) throws -> Int? {
        guard let text = values[flag] else { return nil }
        guard let value = Int(text), value > 0 else { throw UsageError(description: "\(flag) must be a positive integer") }
        return value
    }
}
