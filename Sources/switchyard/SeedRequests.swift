import Core
import Store
import Telemetry

/// `switchyard seed-requests --db PATH --rows N [--days D | --rate R] [--migrations-dir DIR]`: fills a database
/// with a realistic request log (several models, providers, teams and keys; a few errors; spread over the
/// last D days, or arriving at R requests per second as live traffic would) through the same
/// insert-and-rollup path the writer uses, and prints the rows per second it wrote.
/// For benchmarks and dashboard demos; never run it against a production database.
enum SeedRequests {
    static func run(_ arguments: [String]) throws {
        var values: [String: String] = [:]
        var index = 0
        while index + 1 < arguments.count {
            values[arguments[index]] = arguments[index + 1]
            index += 2
        }
        guard let path = values["--db"], let rows = values["--rows"].flatMap(Int.init), rows > 0 else {
            throw ServeOptions.UsageError(description: "usage: switchyard seed-requests --db PATH --rows N [--days D | --rate R] [--migrations-dir DIR]")
        }
        let now = Timestamp.nowMillis()
        // The rows cover the last D days, or as long as R requests per second take to make N.
        let spanMillis = values["--rate"].flatMap(Int.init).map { rate in Int64(rows) * 1000 / Int64(max(1, rate)) }
            ?? Int64(values["--days"].flatMap(Int.init) ?? 30) * 86_400_000
        guard let migrations = InstalledDirectory.migrations.locate(configured: values["--migrations-dir"]) else {
            throw ServeOptions.UsageError(description: "cannot find the migrations directory; pass --migrations-dir")
        }
        let database = try Database(path: path)
        try Migrator(directory: migrations).migrate(database)
        try database.tuneForBulkWrites()
        var generator = SeedGenerator(now: now, spanMillis: max(1, spanMillis), rows: rows)
        let started = Timestamp.monotonicNanos()
        var written = 0
        while written < rows {
            let batch = (0..<min(RequestLogWriter.maxTransactionRows, rows - written)).map { generator.entry(number: written + $0) }
            try database.write { _ = try RequestLogRepository($0).record(batch) }
            written += batch.count
        }
        let seconds = Double(Timestamp.monotonicNanos() - started) / 1e9
        Platform.printOutput(JSONWriter.string(.object([("rows", .int(written)), ("seconds", .number(JSONNumberText.of(seconds))),
                                                        ("rows_per_second", .int(Int(Double(written) / seconds)))])) + "\n")
    }
}

/// Deterministic pseudo-random request-log rows (xorshift), in time order over the last `spanMillis` as live
/// traffic would arrive (so each batch of the writer covers a short stretch of time, as it does in service).
struct SeedGenerator {
    let now: Int64
    let spanMillis: Int64
    let rows: Int
    private var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    static let models = [("gpt-4o", "openai", 2_500_000, 10_000_000), ("gpt-4o-mini", "openai", 150_000, 600_000),
                         ("claude-sonnet", "anthropic", 3_000_000, 15_000_000), ("claude-haiku", "anthropic", 800_000, 4_000_000),
                         ("gemini-flash", "gemini", 100_000, 400_000), ("command-r", "cohere", 150_000, 600_000),
                         ("llama-local", "ollama", 0, 0), ("mistral-large", "mistral", 2_000_000, 6_000_000)]

    init(now: Int64, spanMillis: Int64, rows: Int) {
        self.now = now
        self.spanMillis = spanMillis
        self.rows = rows
    }

    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }

    mutating func entry(number: Int) -> RequestLogEntry {
        let span = spanMillis
        let (model, provider, inputPrice, outputPrice) = Self.models[Int(next() % UInt64(Self.models.count))]
        let roll = next() % 100
        let status = roll < 95 ? 200 : roll < 98 ? 429 : 502
        let input = Int(next() % 4_000) + 20
        let output = status == 200 ? Int(next() % 800) + 1 : 0
        let latency = Int(next() % 3_000) + 50
        let created = now - span + Int64(Double(span) * Double(number) / Double(rows))
        // Ids rise in index order, as the gateway's own (a fixed-width counter) do.
        let digits = String(number)
        var e = RequestLogEntry(id: "seed_" + String(repeating: "0", count: max(0, 12 - digits.count)) + digits, createdAtMillis: created,
                                model: model, provider: provider, upstreamModel: model, status: status,
                                errorType: status == 200 ? nil : status == 429 ? "rate_limit_exceeded" : "upstream_error",
                                inputTokens: input, outputTokens: output, stream: next() % 2 == 0, attempts: 1, latencyMillis: latency,
                                timeToFirstTokenMillis: status == 200 ? latency / 4 : nil)
        let key = Int(next() % 200)
        e.keyID = "key_seed_\(key)"
        e.team = "team_\(key % 10)"
        e.deploymentID = "mdl_seed_\(model)"
        e.cost = Picodollars(usage: TokenUsage(inputTokens: input, outputTokens: output),
                             pricing: Pricing(inputPerMTok: Micros(Int64(inputPrice)), outputPerMTok: Micros(Int64(outputPrice))))
        e.unpriced = inputPrice == 0 && output > 0
        e.queueMillis = 0
        e.connectMillis = 0
        return e
    }
}
