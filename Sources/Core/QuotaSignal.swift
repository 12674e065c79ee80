/// What a provider's quota headers say about the deployment's remaining budget: OpenAI-style
/// `x-ratelimit-remaining-requests|tokens` with `x-ratelimit-limit-*` and `x-ratelimit-reset-*` (durations
/// such as `1s`, `6m0s`, `250ms`), and Anthropic's `anthropic-ratelimit-requests|tokens-remaining|limit|reset`
/// (an RFC 3339 time). Low means under `lowFraction` of the limit left.
public struct QuotaSignal: Sendable, Equatable {
    public static let lowFraction = 0.05
    /// Used when a provider says the quota is low but not when it resets.
    public static let defaultResetMillis = 10_000

    /// The remaining budget is low (or gone): demote the deployment until `resetMillis` from now.
    public var low: Bool
    public var resetMillis: Int

    public init(low: Bool, resetMillis: Int) {
        self.low = low
        self.resetMillis = resetMillis
    }

    /// The header names to keep from upstream responses (lowercase).
    public static let headerNames = [
        "x-ratelimit-remaining-requests", "x-ratelimit-limit-requests", "x-ratelimit-reset-requests",
        "x-ratelimit-remaining-tokens", "x-ratelimit-limit-tokens", "x-ratelimit-reset-tokens",
        "anthropic-ratelimit-requests-remaining", "anthropic-ratelimit-requests-limit", "anthropic-ratelimit-requests-reset",
        "anthropic-ratelimit-tokens-remaining", "anthropic-ratelimit-tokens-limit", "anthropic-ratelimit-tokens-reset",
    ]

    /// Reads the signal from response header fields (lowercase names); nil when the provider sent none or
    /// the budget is not low.
    public static func read(nowMillis: Int64, _ fields: [(name: String, value: String)]) -> QuotaSignal? {
        guard fields.contains(where: { $0.name.hasPrefix("x-ratelimit-") || $0.name.hasPrefix("anthropic-ratelimit-") }) else { return nil }
        func header(_ name: String) -> String? { fields.first { $0.name == name }?.value }
        var resets: [Int] = []
        var low = false
        for (prefix, style) in [("x-ratelimit-", 0), ("anthropic-ratelimit-", 1)] {
            for kind in ["requests", "tokens"] {
                let names = style == 0 ? ("\(prefix)remaining-\(kind)", "\(prefix)limit-\(kind)", "\(prefix)reset-\(kind)")
                                       : ("\(prefix)\(kind)-remaining", "\(prefix)\(kind)-limit", "\(prefix)\(kind)-reset")
                guard let remaining = header(names.0).flatMap({ Double($0) }), let limit = header(names.1).flatMap({ Double($0) }), limit > 0,
                      remaining / limit < lowFraction else { continue }
                low = true
                let reset = header(names.2).flatMap { style == 0 ? durationMillis($0) : Timestamp.parse($0).map { Int(max(0, $0 - nowMillis)) } }
                resets.append(reset ?? defaultResetMillis)
            }
        }
        return low ? QuotaSignal(low: true, resetMillis: resets.max() ?? defaultResetMillis) : nil
    }

    /// Milliseconds in a Go-style duration (`1h2m3.5s`, `250ms`, `6m0s`); nil when malformed.
    public static func durationMillis(_ text: String) -> Int? {
        var total = 0.0
        var number = ""
        var unit = ""
        var sawPart = false
        func flush() -> Bool {
            guard !number.isEmpty, let value = Double(number) else { return number.isEmpty && unit.isEmpty }
            let scale: Double
            switch unit {
            case "h": scale = 3_600_000
            case "m": scale = 60_000
            case "s": scale = 1_000
            case "ms": scale = 1
            default: return false
            }
            total += value * scale
            sawPart = true
            number = ""
            unit = ""
            return true
        }
        for character in text {
            if character.isNumber || character == "." {
                if !unit.isEmpty { guard flush() else { return nil } }
                number.append(character)
            } else if character.isLetter {
                unit.append(character)
            } else {
                return nil
            }
        }
        guard flush(), sawPart else { return nil }
        return Int(total)
    }
}
