import Core
@testable import Telemetry
import Testing

@Suite("Usage query spans and metrics text")
struct UsageQueryTests {
    let minute: Int64 = 60_000
    let hour: Int64 = 3_600_000
    let day: Int64 = 86_400_000

    @Test("an unaligned range is tiled by minutes, hours and whole days without gaps or overlaps")
    func spansTileTheRange() {
        let from = 10 * day + 3 * hour + 17 * minute
        let to = 13 * day + 5 * hour + 42 * minute
        let spans = UsageQuery.spans(from: from, to: to, coarsest: .day)
        #expect(spans.first?.1 == from)
        #expect(spans.last?.2 == to)
        for (a, b) in zip(spans, spans.dropFirst()) { #expect(a.2 == b.1) }
        for (granularity, start, end) in spans {
            #expect(start % granularity.rawValue == 0 && end % granularity.rawValue == 0)
        }
        #expect(spans.map(\.0) == [.minute, .hour, .day, .hour, .minute])
        #expect(UsageQuery.spans(from: from, to: to, coarsest: .hour).allSatisfy { $0.0 != .day })
    }

    @Test("with a bucket the range widens to whole buckets")
    func bucketWidensRange() {
        let query = UsageQuery(fromMillis: 10 * day + 5, toMillis: 12 * day + 1, bucket: .day)
        #expect(query.coveredRange.from == 10 * day)
        #expect(query.coveredRange.to == 13 * day)
        let exact = UsageQuery(fromMillis: 10 * day, toMillis: 12 * day)
        #expect(exact.coveredRange.to == 12 * day)
    }

    @Test("metrics text escapes label values and has HELP and TYPE for every family")
    func metricsText() {
        let metrics = GatewayMetrics()
        var entry = RequestLogEntry(id: "r1", createdAtMillis: 0, model: "we\"ird\\mo\ndel", provider: "p", status: 429,
                                    errorType: "rate_limit_exceeded", latencyMillis: 3)
        entry.cost = Picodollars(1_500_000)
        metrics.observe([entry])
        let text = metrics.render(gauges: [.init(name: "switchyard_config_version", help: "v", samples: [([], 7)])])
        #expect(text.contains(#"model="we\"ird\\mo\ndel""#))
        #expect(text.contains("switchyard_rate_limit_rejections_total{endpoint=\"chat\","))
        #expect(text.contains("switchyard_config_version 7\n"))
        #expect(text.contains("switchyard_cost_usd_total{endpoint=\"chat\",model=\"we\\\"ird\\\\mo\\ndel\",provider=\"p\"} 0.0000015\n"))
        let families = text.split(separator: "\n").filter { $0.hasPrefix("# TYPE") }.map { $0.split(separator: " ")[2] }
        let helps = text.split(separator: "\n").filter { $0.hasPrefix("# HELP") }.map { $0.split(separator: " ")[2] }
        #expect(families == helps)
        #expect(text.contains("switchyard_request_duration_seconds_bucket{endpoint=\"chat\",model=\"we\\\"ird\\\\mo\\ndel\",provider=\"p\",le=\"0.004\"} 1"))
    }
}

@Suite("Per-request log lines")
struct AccessLogTests {
    @Test("a line is one JSON object with escaped strings, nulls and exact cost")
    func line() throws {
        var entry = RequestLogEntry(id: "r\"1", createdAtMillis: 0, model: "m\\odel\n", provider: nil, status: 502, inputTokens: 3,
                                    latencyMillis: 12)
        entry.cost = Picodollars(1_500_000)
        entry.traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
        var lines = JSONLineWriter(reservingCapacity: 16)  // grows as lines come
        var previous = entry
        previous.id = "previous"
        withUnsafePointer(to: previous) { AccessLog.line($0, head: AccessLog.head(level: .info, time: "2026-11-22T00:00:00.000Z"), into: &lines) }
        let first = lines.byteCount
        withUnsafePointer(to: entry) { AccessLog.line($0, head: AccessLog.head(level: .warning, time: "2026-11-22T00:00:00.000Z"), into: &lines) }
        let out = lines.withUnsafeBytes { Array($0) }
        #expect(out[first - 1] == UInt8(ascii: "\n") && out.last == UInt8(ascii: "\n"))
        #expect(try JSONParser.parse(out[..<(first - 1)])["request_id"]?.stringValue == "previous")
        let json = try JSONParser.parse(out[first...].dropLast())
        #expect(json["request_id"]?.stringValue == "r\"1" && json["model"]?.stringValue == "m\\odel\n")
        #expect(json["time"]?.stringValue == "2026-11-22T00:00:00.000Z" && json["logger"]?.stringValue == "request")
        #expect(try JSONParser.parse(out[..<(first - 1)])["level"]?.stringValue == "info")
        #expect(json["level"]?.stringValue == "warn" && json["provider"]?.isNull == true && json["status"]?.intValue == 502)
        #expect(json["cost_usd"] == .number("0.0000015") && json["stream"]?.boolValue == false && json["output_tokens"]?.isNull == true)
        #expect(Picodollars(10_000_000_000_000).description == "10" && Picodollars(-120_000_000_000).description == "-0.12")
    }
}
