import Core
import Routing
import Telemetry

/// The `/metrics` gauges read at scrape time: circuit state per deployment, in-flight attempts, the
/// request-log backlog and spill, and the live config version.
public enum OperationalGauges {
    public static func all(snapshot: ConfigSnapshot, health: DeploymentHealth, requestLog: RequestLogWriter) -> [GatewayMetrics.Gauge] {
        let entries = health.allEntries()
        let now = health.clock()
        var circuit: [(labels: [(String, String)], value: Double)] = []
        var inFlight: [(labels: [(String, String)], value: Double)] = []
        for (name, group) in snapshot.routeGroups.sorted(by: { $0.key < $1.key }) {
            for member in group {
                let (deployment, provider) = (member.deployment, member.provider)
                let entry = entries[deployment.id]
                let state = entry?.circuitName(now: now) ?? "closed"
                let labels = [("model", name), ("provider", provider.name), ("deployment", deployment.id)]
                for candidate in ["closed", "half_open", "open"] {
                    circuit.append((labels + [("state", candidate)], candidate == state ? 1 : 0))
                }
                inFlight.append((labels, Double(entry?.inFlight ?? 0)))
            }
        }
        let backlog = requestLog.backlog
        return [
            .init(name: "switchyard_circuit_state", help: "1 for the state each deployment's circuit breaker is in.", samples: circuit),
            .init(name: "switchyard_in_flight_attempts", help: "Upstream attempts in flight per deployment.", samples: inFlight),
            .init(name: "switchyard_request_log_queue_depth", help: "Request-log rows waiting in memory to be written.",
                  samples: [([], Double(backlog.queued))]),
            .init(name: "switchyard_request_log_spilled_rows", help: "Rows spilled to the overflow file since start.",
                  samples: [([], Double(backlog.spilled))]),
            .init(name: "switchyard_request_log_lag_ms", help: "Age of the oldest row of the last written batch.",
                  samples: [([], Double(backlog.lagMillis))]),
            .init(name: "switchyard_config_version", help: "The configuration version the data plane serves.",
                  samples: [([], Double(snapshot.version))]),
        ]
    }
}
