import Core
import Routing
import Testing

@Suite("Budgets: periods, reservations, soft alerts")
struct BudgetLedgerTests {
    final class Clock: @unchecked Sendable { var now: Int64 = 0 }

    /// 2026-11-22T10:00:00Z, a Sunday.
    static let sunday: Int64 = 1_795_341_600_000
    static let day: Int64 = 86_400_000

    @Test("periods start at UTC midnight, on Monday, on the 1st, and never for total")
    func periods() {
        let midnight = Self.sunday - 10 * 3_600_000
        #expect(Timestamp.iso8601(BudgetPeriod.daily.start(containing: Self.sunday)) == "2026-11-22T00:00:00.000Z")
        #expect(BudgetPeriod.daily.end(afterStart: midnight) == midnight + Self.day)
        #expect(Timestamp.iso8601(BudgetPeriod.weekly.start(containing: Self.sunday)) == "2026-11-16T00:00:00.000Z")
        #expect(Timestamp.iso8601(BudgetPeriod.weekly.start(containing: midnight + Self.day)) == "2026-11-23T00:00:00.000Z")
        #expect(Timestamp.iso8601(BudgetPeriod.monthly.start(containing: Self.sunday)) == "2026-11-01T00:00:00.000Z")
        #expect(Timestamp.iso8601(BudgetPeriod.monthly.end(afterStart: BudgetPeriod.monthly.start(containing: Self.sunday))!)
                == "2026-12-01T00:00:00.000Z")
        let december = BudgetPeriod.monthly.start(containing: Timestamp.parse("2026-12-31T23:59:59Z")!)
        #expect(Timestamp.iso8601(BudgetPeriod.monthly.end(afterStart: december)!) == "2027-01-01T00:00:00.000Z")
        #expect(BudgetPeriod.total.start(containing: Self.sunday) == 0 && BudgetPeriod.total.end(afterStart: 0) == nil)
    }

    func scope(_ key: String, dollars: String, _ period: BudgetPeriod, soft: Int? = nil) -> BudgetLedger.Scope {
        BudgetLedger.Scope(key: key, budget: Budget(limit: Micros(decimal: dollars)!, period: period, softLimitPercent: soft), label: key)
    }

    @Test("a reservation is all or none, settles to the actual cost, and the day resets at midnight UTC")
    func reserveAndSettle() throws {
        let clock = Clock()
        clock.now = Self.sunday
        let ledger = BudgetLedger(clock: { clock.now })
        let key = scope("key:a", dollars: "1", .daily)
        let team = scope("team:t", dollars: "0.5", .daily)
        let dollar = Picodollars(1_000_000_000_000)
        let first = try ledger.reserve([key, team], amount: Picodollars(dollar.value * 4 / 10)).get()
        // 0.4 reserved on both; another 0.4 fits the key but not the team: nothing is taken.
        guard case .failure(let refused) = ledger.reserve([key, team], amount: Picodollars(dollar.value * 4 / 10)) else {
            Issue.record("expected a refusal")
            return
        }
        #expect(refused.scope.key == "team:t" && refused.reserved.value == dollar.value * 4 / 10)
        #expect(refused.resetsAtMillis == BudgetPeriod.daily.start(containing: Self.sunday) + Self.day)
        #expect(ledger.balance(key).reserved.value == dollar.value * 4 / 10)
        _ = ledger.settle(first, actual: Picodollars(dollar.value / 10))
        #expect(ledger.balance(team).spent.value == dollar.value / 10 && ledger.balance(team).reserved == .zero)
        #expect((try? ledger.reserve([key, team], amount: Picodollars(dollar.value * 4 / 10)).get()) != nil)
        clock.now = BudgetPeriod.daily.start(containing: Self.sunday) + Self.day  // midnight UTC
        #expect(ledger.balance(team).spent == .zero && ledger.balance(team).reserved == .zero)
    }

    @Test("a spent budget refuses until its period's UTC boundary, then starts empty; a total budget never resets",
          arguments: BudgetPeriod.allCases)
    func resetAtBoundary(_ period: BudgetPeriod) throws {
        let clock = Clock()
        clock.now = Self.sunday
        let ledger = BudgetLedger(clock: { clock.now })
        let budget = scope("global", dollars: "1", period)
        let dollar = Picodollars(1_000_000_000_000)
        _ = ledger.settle(try ledger.reserve([budget], amount: dollar).get(), actual: dollar)
        let refused = try #require(ledger.reserve([budget], amount: Picodollars(1)).failure)
        let start = period.start(containing: Self.sunday)
        #expect(refused.resetsAtMillis == period.end(afterStart: start))
        guard let end = period.end(afterStart: start) else {
            clock.now += 400 * Self.day
            #expect(ledger.reserve([budget], amount: Picodollars(1)).failure != nil)
            return
        }
        clock.now = end - 1
        #expect(ledger.reserve([budget], amount: Picodollars(1)).failure != nil)
        clock.now = end
        #expect(ledger.balance(budget).spent == .zero)
        #expect((try? ledger.reserve([budget], amount: dollar).get()) != nil)
    }

    @Test("the soft alert fires once per period")
    func softAlertOnce() throws {
        let clock = Clock()
        clock.now = Self.sunday
        let ledger = BudgetLedger(clock: { clock.now })
        let key = scope("key:a", dollars: "10", .weekly, soft: 50)
        let four = Picodollars(4_000_000_000_000)
        #expect(ledger.settle(try ledger.reserve([key], amount: four).get(), actual: four).isEmpty)
        #expect(ledger.settle(try ledger.reserve([key], amount: four).get(), actual: four).count == 1)
        #expect(ledger.settle(try ledger.reserve([key], amount: Picodollars(1)).get(), actual: Picodollars(1)).isEmpty)
        clock.now += 7 * Self.day
        #expect(ledger.settle(try ledger.reserve([key], amount: four).get(), actual: four).isEmpty)
        #expect(ledger.settle(try ledger.reserve([key], amount: four).get(), actual: four).count == 1)
    }

    @Test("seeding sets a period's spend once; later seeds do not overwrite what is tracked")
    func seeding() throws {
        let clock = Clock()
        clock.now = Self.sunday
        let ledger = BudgetLedger(clock: { clock.now })
        let key = scope("key:a", dollars: "1", .monthly)
        #expect(!ledger.isTracking(key))
        ledger.seed(key, spent: Picodollars(900_000_000_000))
        ledger.seed(key, spent: .zero)
        #expect(ledger.balance(key).spent.value == 900_000_000_000)
        #expect(throws: BudgetLedger.Exceeded.self) { try ledger.reserve([key], amount: Picodollars(200_000_000_000)).get() }
    }

    @Test("globs in allowed models")
    func globs() {
        #expect(Glob.matches("gpt-4o*", "gpt-4o-mini") && Glob.matches("gpt-4o*", "gpt-4o"))
        #expect(!Glob.matches("gpt-4o*", "gpt-4"))
        #expect(Glob.matches("*-mini", "gpt-4o-mini") && Glob.matches("c?aude", "claude") && Glob.matches("*", ""))
        #expect(!Glob.matches("claude", "claude-3") && Glob.matches("a*b*c", "aXXbYYc") && !Glob.matches("a*b*c", "aXXbYY"))
        let key = VirtualKey(id: "k", name: "k", allowedModels: ["gpt-*", "demo"])
        #expect(key.allows(model: "gpt-4o") && key.allows(model: "demo") && !key.allows(model: "claude"))
        #expect(VirtualKey(id: "k", name: "k").allows(model: "anything"))
    }
}

extension Result {
    /// The error of a failed result, else nil.
    var failure: Failure? {
        guard case .failure(let error) = self else { return nil }
        return error
    }
}
