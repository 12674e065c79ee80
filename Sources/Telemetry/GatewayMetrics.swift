import Core
import Synchronization

/// Counters and histograms for `/metrics`, fed by the request-log writer with every logged row (so the
/// request path pays nothing for them), rendered in the Prometheus text format.
public final class GatewayMetrics: Sendable {
    struct Series: Hashable {
        let endpoint: String
        let model: String
        let provider: String
    }

    /// One series' counters: the usage totals the rollups keep too, plus what only metrics show.
    struct Totals {
        var usage = UsageTotals()
        var requests: [Int: Int] = [:]  // by status
        var errors: [String: Int] = [:]  // by error type
        var latencySumMillis = 0
        var ttftSumMillis = 0
    }

    private let series = Mutex<[Series: Totals]>([:])

    public init() {}

    /// Counts a batch of logged requests.
    public func observe(_ batch: [RequestLogEntry]) {
        series.withLock { series in
            // Rows are read in place (see `withContiguousRows`).
            batch.withUnsafeBufferPointer { rows in
                for row in rows.indices.lazy.map({ rows.baseAddress! + $0 }) {
                    let key = Series(endpoint: row.pointee.endpoint, model: row.pointee.model, provider: row.pointee.provider ?? "")
                    series[key, default: Totals()].add(row)
                }
            }
        }
    }

    /// A value read at scrape time (breaker states, queue depth, config version).
    public struct Gauge: Sendable {
        public var name: String
        public var help: String
        public var samples: [(labels: [(String, String)], value: Double)]
        public init(name: String, help: String, samples: [(labels: [(String, String)], value: Double)]) {
            self.name = name
            self.help = help
            self.samples = samples
        }
    }

    /// The exposition text: every counter and histogram, then `gauges`.
    public func render(gauges: [Gauge]) -> String {
        let snapshot = series.withLock { $0 }.sorted { ($0.key.endpoint, $0.key.model, $0.key.provider) < ($1.key.endpoint, $1.key.model, $1.key.provider) }
        var out = PrometheusText()
        out.family("switchyard_requests_total", "counter", "Client requests answered, by status.")
        for (key, totals) in snapshot {
            for (status, count) in totals.requests.sorted(by: { $0.key < $1.key }) {
                out.sample("switchyard_requests_total", labels(key) + [("status", String(status))], Double(count))
            }
        }
        out.family("switchyard_errors_total", "counter", "Client requests answered with an error, by error type.")
        for (key, totals) in snapshot {
            for (type, count) in totals.errors.sorted(by: { $0.key < $1.key }) {
                out.sample("switchyard_errors_total", labels(key) + [("type", type)], Double(count))
            }
        }
        out.family("switchyard_tokens_total", "counter", "Tokens used, by kind (input includes cached).")
        for (key, totals) in snapshot {
            for (kind, count) in [("input", totals.usage.inputTokens), ("output", totals.usage.outputTokens), ("cached_input", totals.usage.cachedTokens)] {
                out.sample("switchyard_tokens_total", labels(key) + [("kind", kind)], Double(count))
            }
        }
        out.family("switchyard_cost_usd_total", "counter", "Cost of the tokens used, in US dollars.")
        for (key, totals) in snapshot { out.sample("switchyard_cost_usd_total", labels(key), totals.usage.cost.description) }
        out.family("switchyard_unpriced_requests_total", "counter", "Requests served by a deployment without prices (cost unknown).")
        for (key, totals) in snapshot { out.sample("switchyard_unpriced_requests_total", labels(key), Double(totals.usage.unpriced)) }
        out.family("switchyard_cache_hits_total", "counter", "Requests answered from the response cache.")
        for (key, totals) in snapshot { out.sample("switchyard_cache_hits_total", labels(key), Double(totals.usage.cacheHits)) }
        out.family("switchyard_rate_limit_rejections_total", "counter", "Requests refused by a rate limit (429).")
        for (key, totals) in snapshot {
            out.sample("switchyard_rate_limit_rejections_total", labels(key), Double(totals.errors["rate_limit_exceeded"] ?? 0))
        }
        out.family("switchyard_budget_rejections_total", "counter", "Requests refused by a budget (429 budget_exceeded).")
        for (key, totals) in snapshot {
            out.sample("switchyard_budget_rejections_total", labels(key), Double(totals.errors["budget_exceeded"] ?? 0))
        }
        out.family("switchyard_request_duration_seconds", "histogram", "Time from a request's arrival to its last byte.")
        for (key, totals) in snapshot {
            out.histogram("switchyard_request_duration_seconds", labels(key), totals.usage.latency, sumMillis: totals.latencySumMillis)
        }
        out.family("switchyard_time_to_first_token_seconds", "histogram", "Time from a request's arrival to its first token.")
        for (key, totals) in snapshot {
            out.histogram("switchyard_time_to_first_token_seconds", labels(key), totals.usage.timeToFirstToken, sumMillis: totals.ttftSumMillis)
        }
        for gauge in gauges {
            out.family(gauge.name, "gauge", gauge.help)
            for sample in gauge.samples { out.sample(gauge.name, sample.labels, sample.value) }
        }
        return out.text
    }

    private func labels(_ key: Series) -> [(String, String)] {
        [("endpoint", key.endpoint), ("model", key.model), ("provider", key.provider)]
    }
}

extension GatewayMetrics.Totals {
    mutating func add(_ entry: UnsafePointer<RequestLogEntry>) {
        usage.add(entry)
        let status = entry.pointee.status
        requests[status, default: 0] += 1
        if status >= 400 { errors[entry.pointee.errorType ?? "http_\(status)", default: 0] += 1 }
        latencySumMillis += entry.pointee.latencyMillis
        ttftSumMillis += entry.pointee.timeToFirstTokenMillis ?? 0
    }
}

/// Builds Prometheus text exposition: `# HELP`/`# TYPE` lines, escaped label values and help text.
struct PrometheusText {
    private(set) var text = ""

    mutating func family(_ name: String, _ type: String, _ help: String) {
        text += "# HELP \(name) \(Self.escapeHelp(help))\n# TYPE \(name) \(type)\n"
    }

    mutating func sample(_ name: String, _ labels: [(String, String)], _ value: Double) {
        sample(name, labels, Self.format(value))
    }

    mutating func sample(_ name: String, _ labels: [(String, String)], _ value: String) {
        text += name
        if !labels.isEmpty {
            text += "{" + labels.map { "\($0.0)=\"\(Self.escapeLabel($0.1))\"" }.joined(separator: ",") + "}"
        }
        text += " \(value)\n"
    }

    /// Cumulative buckets at every doubling from 1 ms (each a bucket boundary of the histogram, so exact),
    /// then `+Inf`, `_sum` and `_count`.
    mutating func histogram(_ name: String, _ labels: [(String, String)], _ histogram: LatencyHistogram, sumMillis: Int) {
        var cumulative = 0
        for index in 0..<LatencyHistogram.bucketCount - 1 {
            cumulative += Int(histogram.counts[index])
            guard index % LatencyHistogram.bucketsPerOctave == 0 else { continue }
            let seconds = LatencyHistogram.upperBounds[index] / 1000
            sample(name + "_bucket", labels + [("le", Self.format(seconds))], Double(cumulative))
        }
        sample(name + "_bucket", labels + [("le", "+Inf")], Double(histogram.total))
        sample(name + "_sum", labels, Double(sumMillis) / 1000)
        sample(name + "_count", labels, Double(histogram.total))
    }

    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return JSONNumberText.of(value)
    }

    /// Label values escape backslash, double quote and line feed.
    static func escapeLabel(_ value: String) -> String { escape(value, quote: true) }

    /// Help text escapes backslash and line feed.
    static func escapeHelp(_ value: String) -> String { escape(value, quote: false) }

    private static func escape(_ value: String, quote: Bool) -> String {
        var out = ""
        for ch in value {
            switch ch {
            case "\\": out += "\\\\"
            case "\"" where quote: out += "\\\""
            case "\n": out += "\\n"
            default: out.append(ch)
            }
        }
        return out
    }
}
