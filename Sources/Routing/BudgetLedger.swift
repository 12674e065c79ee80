import Core

/// Spend against every budget (per key, per team), shared by all event loops. A request reserves its
/// worst-case cost against each budget that covers it at admission, all or none, and is refused if any
/// reservation does not fit; when it finishes, the reservation is replaced by the actual cost. So the sum
/// of settled costs never passes a hard limit, however many requests run at once (as long as the
/// worst-case estimate holds). Periods are UTC days, Monday weeks, months or forever, on the injected clock.
public final class BudgetLedger: @unchecked Sendable {
    // Safety: `accounts` is only touched while holding `lock`.
    struct Account {
        var periodStart: Int64
        var spent: Int64 = 0
        var reserved: Int64 = 0
        var alerted = false
    }

    /// One budget a request is charged to: its ledger key (`key:<id>`, `team:<id>`), the budget and a label for messages.
    public struct Scope: Sendable {
        public var key: String
        public var budget: Budget
        public var label: String
        public init(key: String, budget: Budget, label: String) {
            self.key = key
            self.budget = budget
            self.label = label
        }
    }

    /// What a granted request holds until it settles.
    public struct Reservation: Sendable {
        let charges: [(scope: Scope, periodStart: Int64, amount: Int64)]
    }

    /// Why a request was refused: the budget, what is spent and reserved in its period, and when it resets.
    public struct Exceeded: Error, Sendable {
        public var scope: Scope
        public var spent: Picodollars
        public var reserved: Picodollars
        /// The refused request's worst-case cost.
        public var requested: Picodollars
        public var resetsAtMillis: Int64?
    }

    /// A soft limit crossed by a settled request (reported once per budget and period).
    public struct SoftAlert: Sendable {
        public var scope: Scope
        public var spent: Picodollars
        public var periodStart: Int64
    }

    private let lock = Lock()
    private var accounts: [String: Account] = [:]
    public let clock: @Sendable () -> Int64

    public init(clock: @escaping @Sendable () -> Int64 = { Timestamp.nowMillis() }) {
        self.clock = clock
    }

    /// Reserves `amount` against every scope, or nothing when any would pass its limit.
    public func reserve(_ scopes: [Scope], amount: Picodollars) -> Result<Reservation, Exceeded> {
        guard !scopes.isEmpty else { return .success(Reservation(charges: [])) }
        let now = clock()
        return lock.withLock {
            for scope in scopes {
                let account = current(scope, now: now)
                let limit = scope.budget.limit.value * 1_000_000
                if account.spent + account.reserved + amount.value > limit {
                    return .failure(Exceeded(scope: scope, spent: Picodollars(account.spent), reserved: Picodollars(account.reserved),
                                             requested: amount, resetsAtMillis: scope.budget.period.end(afterStart: account.periodStart)))
                }
            }
            var charges: [(scope: Scope, periodStart: Int64, amount: Int64)] = []
            for scope in scopes {
                var account = current(scope, now: now)
                account.reserved += amount.value
                accounts[scope.key] = account
                charges.append((scope, account.periodStart, amount.value))
            }
            return .success(Reservation(charges: charges))
        }
    }

    /// Replaces a reservation by the actual cost; returns the soft limits this crossed.
    public func settle(_ reservation: Reservation, actual: Picodollars) -> [SoftAlert] {
        guard !reservation.charges.isEmpty else { return [] }
        let now = clock()
        return lock.withLock {
            var alerts: [SoftAlert] = []
            for charge in reservation.charges {
                var account = current(charge.scope, now: now)
                if account.periodStart == charge.periodStart { account.reserved = max(0, account.reserved - charge.amount) }
                account.spent += actual.value
                if let percent = charge.scope.budget.softLimitPercent, !account.alerted,
                   account.spent * 100 >= charge.scope.budget.limit.value * 1_000_000 * Int64(percent) {
                    account.alerted = true
                    alerts.append(SoftAlert(scope: charge.scope, spent: Picodollars(account.spent), periodStart: account.periodStart))
                }
                accounts[charge.scope.key] = account
            }
            return alerts
        }
    }

    /// Whether `scope` has an account for its current period already.
    public func isTracking(_ scope: Scope) -> Bool {
        let start = scope.budget.period.start(containing: clock())
        return lock.withLock { accounts[scope.key]?.periodStart == start }
    }

    /// Sets what a scope has spent in its current period, from the request log, unless it is tracked already
    /// (at start-up, and when a budget is added).
    public func seed(_ scope: Scope, spent: Picodollars) {
        let start = scope.budget.period.start(containing: clock())
        lock.withLock {
            guard accounts[scope.key]?.periodStart != start else { return }
            accounts[scope.key] = Account(periodStart: start, spent: spent.value)
        }
    }

    /// Sets what a scope has spent in its current period from outside — on a data plane, the control plane's
    /// total over every replica plus what this one has not shipped yet — keeping what requests in flight reserved.
    public func adopt(_ scope: Scope, spent: Picodollars) {
        let now = clock()
        lock.withLock {
            var account = current(scope, now: now)
            account.spent = spent.value
            accounts[scope.key] = account
        }
    }

    /// Spent and reserved now in `scope`'s current period.
    public func balance(_ scope: Scope) -> (spent: Picodollars, reserved: Picodollars, periodStart: Int64) {
        let now = clock()
        return lock.withLock {
            let account = current(scope, now: now)
            return (Picodollars(account.spent), Picodollars(account.reserved), account.periodStart)
        }
    }

    /// The account for `scope` in the period holding `now` (a new period starts empty).
    private func current(_ scope: Scope, now: Int64) -> Account {
        let start = scope.budget.period.start(containing: now)
        guard let account = accounts[scope.key], account.periodStart == start else { return Account(periodStart: start) }
        return account
    }
}
