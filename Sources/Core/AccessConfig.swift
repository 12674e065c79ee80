#if canImport(Glibc)
import Glibc
#endif

/// The period a budget's spend is counted over, in UTC.
public enum BudgetPeriod: String, Sendable, CaseIterable {
    case daily, weekly, monthly, total

    static let dayMillis: Int64 = 86_400_000

    /// When the period holding `millis` began (weeks begin on Monday; `total` at the epoch).
    public func start(containing millis: Int64) -> Int64 {
        let day = millis - ((millis % Self.dayMillis) + Self.dayMillis) % Self.dayMillis
        switch self {
        case .daily: return day
        case .weekly:
            let days = day / Self.dayMillis
            let weekday = ((days + 3) % 7 + 7) % 7  // 1970-01-01 was a Thursday; Monday is 0
            return day - weekday * Self.dayMillis
        case .monthly:
            var seconds = time_t(millis / 1000)
            var parts = tm()
            gmtime_r(&seconds, &parts)
            return day - Int64(parts.tm_mday - 1) * Self.dayMillis
        case .total: return 0
        }
    }

    /// When the period that began at `start` ends (nil for `total`, which never resets).
    public func end(afterStart start: Int64) -> Int64? {
        switch self {
        case .daily: return start + Self.dayMillis
        case .weekly: return start + 7 * Self.dayMillis
        case .monthly:
            // The next month's first day: 32 days on always lands in it.
            return Self.monthly.start(containing: start + 32 * Self.dayMillis)
        case .total: return nil
        }
    }
}

/// A hard spending limit per period, with an optional soft alert threshold (percent of the limit).
public struct Budget: Sendable, Equatable {
    public var limit: Micros
    public var period: BudgetPeriod
    public var softLimitPercent: Int?
    public init(limit: Micros, period: BudgetPeriod, softLimitPercent: Int? = nil) {
        self.limit = limit
        self.period = period
        self.softLimitPercent = softLimitPercent
    }
}

/// A team as the data plane sees it: limits and a budget shared by its keys.
public struct Team: Sendable {
    public var id: String
    public var name: String
    public var rpm: Int?
    public var tpm: Int?
    public var budget: Budget?
    public init(id: String, name: String, rpm: Int? = nil, tpm: Int? = nil, budget: Budget? = nil) {
        self.id = id
        self.name = name
        self.rpm = rpm
        self.tpm = tpm
        self.budget = budget
    }
}

/// A virtual key as the data plane sees it (found by the hash of the secret a client presents).
public struct VirtualKey: Sendable {
    public var id: String
    public var name: String
    public var teamID: String?
    /// Public model names or globs (`*` any run of characters, `?` one); empty allows every model.
    public var allowedModels: [String]
    public var rpm: Int?
    public var tpm: Int?
    public var budget: Budget?
    public var expiresAtMillis: Int64?
    public var enabled: Bool
    public var logBodies: Bool

    public init(id: String, name: String, teamID: String? = nil, allowedModels: [String] = [], rpm: Int? = nil, tpm: Int? = nil,
                budget: Budget? = nil, expiresAtMillis: Int64? = nil, enabled: Bool = true, logBodies: Bool = false) {
        self.id = id
        self.name = name
        self.teamID = teamID
        self.allowedModels = allowedModels
        self.rpm = rpm
        self.tpm = tpm
        self.budget = budget
        self.expiresAtMillis = expiresAtMillis
        self.enabled = enabled
        self.logBodies = logBodies
    }

    /// Whether the key may use the public model `name`.
    public func allows(model name: String) -> Bool {
        allowedModels.isEmpty || allowedModels.contains { Glob.matches($0, name) }
    }
}

/// `*` and `?` wildcards over whole strings.
public enum Glob {
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.utf8)
        let t = Array(text.utf8)
        var (pi, ti) = (0, 0)
        var star: (p: Int, t: Int)?
        while ti < t.count {
            if pi < p.count && (p[pi] == UInt8(ascii: "?") || p[pi] == t[ti]) {
                pi += 1
                ti += 1
            } else if pi < p.count && p[pi] == UInt8(ascii: "*") {
                star = (pi, ti)
                pi += 1
            } else if let last = star {
                pi = last.p + 1
                ti = last.t + 1
                star = (last.p, last.t + 1)
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == p.count
    }
}
