import Core
import Routing

/// `GET /admin/v1/health`: per provider and per deployment of the live configuration, the circuit state,
/// success rate and p50/p95 latency and TTFT over the last five minutes (from merged histograms), in-flight
/// attempts, rate-limit headroom, the last error with its time, and why a deployment is disabled.
public enum HealthReport {
    public static func json(snapshot: ConfigSnapshot, health: DeploymentHealth, limits: RateLimits) -> JSONValue {
        let entries = health.allEntries()
        let now = health.clock()
        let wallNow = Timestamp.nowMillis()
        var deployments: [JSONValue] = []
        var byProvider: [String: (states: [String], recent: RecentOutcomes.Summary, inFlight: Int)] = [:]
        for (name, group) in snapshot.routeGroups.sorted(by: { $0.key < $1.key }) {
            for candidate in group {
                let (deployment, provider) = (candidate.deployment, candidate.provider)
                let entry = entries[deployment.id]
                let circuit = entry?.circuitName(now: now) ?? "closed"
                let disabled = entry?.disabled.flatMap { $0.fingerprint == provider.healthFingerprint ? $0.reason : nil }
                let recent = entry?.recent.summary(now: now) ?? RecentOutcomes.Summary()
                let headroom = limits.headroom(FailoverCoordinator.scope(candidate)).map { limit in
                    JSONValue.object([("limit", .string(limit.key)), ("per_minute", .int(limit.perMinute)), ("available", .int(limit.available))])
                }
                var fields: [(String, JSONValue)] = [
                    ("model", .string(name)), ("deployment", .string(deployment.id)), ("provider", .string(provider.name)),
                    ("upstream_model", .string(deployment.upstreamModel)), ("circuit", .string(circuit)),
                ]
                fields += window(recent)
                fields += [
                    ("in_flight", .int(entry?.inFlight ?? 0)), ("rate_limits", .array(headroom)),
                    ("last_error", entry?.lastError.map { error in
                        .object([("message", .string(error.message)), ("at", .string(Timestamp.iso8601(wallNow - (now - error.atMillis)))),
                                 ("age_ms", .int(Int(now - error.atMillis)))])
                    } ?? .null),
                    ("disabled_reason", .optional(disabled)),
                ]
                deployments.append(.object(fields))
                var summary = byProvider[provider.name] ?? ([], RecentOutcomes.Summary(), 0)
                summary.states.append(disabled != nil ? "disabled" : circuit)
                summary.recent.merge(recent)
                summary.inFlight += entry?.inFlight ?? 0
                byProvider[provider.name] = summary
            }
        }
        let providers: [JSONValue] = byProvider.keys.sorted().map { name in
            let summary = byProvider[name]!
            let healthy = summary.states.filter { $0 == "closed" }.count
            return .object([("provider", .string(name)), ("deployments", .int(summary.states.count)), ("healthy", .int(healthy)),
                            ("status", .string(healthy == summary.states.count ? "ok" : healthy == 0 ? "down" : "degraded")),
                            ("in_flight", .int(summary.inFlight))] + window(summary.recent))
        }
        return .object([("window_seconds", .int(Int(RecentOutcomes.slotMillis) * RecentOutcomes.slotCount / 1000)),
                        ("providers", .array(providers)), ("deployments", .array(deployments))])
    }

    /// The five-minute figures: attempts, success rate and latency/TTFT percentiles (null when there were none).
    static func window(_ recent: RecentOutcomes.Summary) -> [(String, JSONValue)] {
        let total = recent.successes + recent.failures
        func number(_ value: Double?) -> JSONValue { value.map { .number(JSONNumberText.of($0)) } ?? .null }
        return [
            ("requests_5m", .int(total)), ("errors_5m", .int(recent.failures)),
            ("success_rate", total == 0 ? .null : number(Double(recent.successes) / Double(total))),
            ("latency_p50_ms", number(recent.latency.quantile(0.5))), ("latency_p95_ms", number(recent.latency.quantile(0.95))),
            ("ttft_p50_ms", number(recent.timeToFirstToken.quantile(0.5))), ("ttft_p95_ms", number(recent.timeToFirstToken.quantile(0.95))),
        ]
    }
}
