import Core
import Glibc
import Synchronization
import UpstreamClient

/// A data plane's view of shared budgets and limits: every `intervalMillis` it reads what each budget has
/// spent over all replicas (`GET /admin/v1/budgets/state`, the usage they shipped) and how many replicas are
/// live, and hands both to `adopt`, which adds this replica's unshipped spend to the ledger and takes its share
/// of each rate limit. A budget set on the control plane stops a key on every replica within about one
/// interval plus the shipping delay.
public final class BudgetSync: Sendable {
    /// One budget's spend over every replica: its key or team (neither: global) and its period start.
    public struct Spend: Sendable, Hashable {
        public let key: String?
        public let team: String?
        public let since: Int64

        public init(key: String?, team: String?, since: Int64) {
            self.key = key
            self.team = team
            self.since = since
        }
    }

    let stateURL: String
    let token: String
    let intervalMillis: Int
    let adopt: @Sendable (_ spent: [Spend: Picodollars], _ replicas: Int) -> Void
    /// This data plane's id in the control plane's count of live replicas.
    let replicaID = Identifier.make("dp")
    let logger = Logger(label: "budget-sync")
    private let stopped = Atomic<Bool>(false)

    public init(controlPlane: String, token: String, intervalMillis: Int = 1_000,
                adopt: @escaping @Sendable (_ spent: [Spend: Picodollars], _ replicas: Int) -> Void) {
        stateURL = (controlPlane.hasSuffix("/") ? String(controlPlane.dropLast()) : controlPlane) + "/admin/v1/budgets/state"
        self.token = token
        self.intervalMillis = intervalMillis
        self.adopt = adopt
    }

    public func start() {
        Platform.startThread(name: "budget-sync") { [self] in
            while !stopped.load(ordering: .relaxed) {
                if let (state, replicas) = fetch() { adopt(state, replicas) }
                usleep(UInt32(intervalMillis) * 1000)
            }
        }
    }

    public func stop() { stopped.store(true, ordering: .relaxed) }

    /// The control plane's totals and how many replicas are live, or nil when it does not answer (the ledger
    /// then keeps counting locally, and the rate-limit share stays as it was).
    func fetch() -> ([Spend: Picodollars], Int)? {
        let headers = ["Authorization: Bearer \(token)", "x-switchyard-replica: \(replicaID)"]
        guard case .success(let answer) = BlockingHTTP.send(stateURL, method: "GET", headers: headers, timeoutMillis: 2_000),
              answer.status == 200, let json = try? JSONParser.parse(answer.body), let budgets = json["budgets"]?.arrayValue else { return nil }
        var state: [Spend: Picodollars] = [:]
        for budget in budgets {
            guard let since = budget["since"]?.intValue, let spent = budget["spent_pusd"]?.intValue else { continue }
            state[Spend(key: budget["key"]?.stringValue, team: budget["team"]?.stringValue, since: Int64(since))] = Picodollars(Int64(spent))
        }
        return (state, json["replicas"]?.intValue ?? 1)
    }
}
