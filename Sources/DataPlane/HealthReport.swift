import Core
import Routing

/// `GET /admin/v1/health`: per provider and per deployment of the live configuration, the circuit state,
/// the success rate over the breaker's window, in-flight attempts, the last error and why a deployment
/// is disabled. (Latency and TTFT percentiles come with the metrics work.)
public enum HealthReport {
    public static func json(snapshot: ConfigSnapshot, health: DeploymentHealth) -> JSONValue {
        let entries = health.allEntries()
        let now = health.clock()
        var deployments: [JSONValue] = []
        var providerStates: [String: [String]] = [:]
        for (name, group) in snapshot.routeGroups.sorted(by: { $0.key < $1.key }) {
            for deployment in group {
                guard let provider = snapshot.providers[deployment.providerID] else { continue }
                let entry = entries[deployment.id]
                var circuit = entry?.breaker.state.name ?? "closed"
                if let open = entry?.breaker.state, case .open(let until) = open, now >= until { circuit = "half_open" }
                let disabled = entry?.disabled.flatMap { $0.fingerprint == provider.healthFingerprint ? $0.reason : nil }
                let totals = entry?.breaker.totals(now: now) ?? (successes: 0, failures: 0)
                let total = totals.successes + totals.failures
                providerStates[provider.name, default: []].append(disabled != nil ? "disabled" : circuit)
                deployments.append(.object([
                    ("model", .string(name)), ("deployment", .string(deployment.id)), ("provider", .string(provider.name)),
                    ("upstream_model", .string(deployment.upstreamModel)), ("circuit", .string(circuit)),
                    ("success_rate", total == 0 ? .null : .number(JSONNumberText.of(Double(totals.successes) / Double(total)))),
                    ("requests_in_window", .int(total)), ("in_flight", .int(entry?.inFlight ?? 0)),
                    ("last_error", entry?.lastError.map { .object([("message", .string($0.message)),
                                                                   ("age_ms", .int(Int(now - $0.atMillis)))]) } ?? .null),
                    ("disabled_reason", .optional(disabled)),
                ]))
            }
        }
        let providers: [JSONValue] = providerStates.keys.sorted().map { name in
            let states = providerStates[name] ?? []
            let healthy = states.filter { $0 == "closed" }.count
            return .object([("provider", .string(name)), ("deployments", .int(states.count)), ("healthy", .int(healthy)),
                            ("status", .string(healthy == states.count ? "ok" : healthy == 0 ? "down" : "degraded"))])
        }
        return .object([("providers", .array(providers)), ("deployments", .array(deployments))])
    }
}
