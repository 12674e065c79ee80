/// An exact amount of US dollars in integer micro-dollars (1e-6 USD); never summed as Double.
public struct Micros: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var value: Int64
    public init(_ value: Int64) { self.value = value }
    public static let zero = Micros(0)

    public static func < (a: Micros, b: Micros) -> Bool { a.value < b.value }
    public static func + (a: Micros, b: Micros) -> Micros { Micros(a.value + b.value) }

    /// Parses a decimal literal such as `2.5` or `0.000125` exactly; nil if negative, malformed or finer than 1e-6.
    public init?(decimal text: String) {
        guard let value = DecimalUnits.parse(text, fractionDigits: 6) else { return nil }
        self.value = value
    }

    /// Dollars as a decimal string with up to six fraction digits (`2.5`, `0.000125`).
    public var description: String { DecimalUnits.format(value, fractionDigits: 6) }

    /// The amount as a JSON number literal.
    public var json: JSONValue { .number(description) }
}

/// An exact cost in picodollars (1e-12 USD): a token priced in micro-dollars per million tokens costs a
/// whole number of picodollars, so per-request costs and their sums never round.
public struct Picodollars: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var value: Int64
    public init(_ value: Int64) { self.value = value }
    public static let zero = Picodollars(0)
    public static func < (a: Picodollars, b: Picodollars) -> Bool { a.value < b.value }
    public static func + (a: Picodollars, b: Picodollars) -> Picodollars { Picodollars(a.value &+ b.value) }

    /// What `usage` costs at `pricing`: uncached input, cached input (at the input price when the model has no
    /// cached price), reasoning output (at the output price when the model has no reasoning price) and the
    /// rest of the output, each tokens × micro-dollars per million tokens.
    public init(usage: TokenUsage, pricing: Pricing) {
        let cached = min(max(usage.cachedInputTokens, 0), max(usage.inputTokens, 0))
        let uncached = max(usage.inputTokens, 0) - cached
        let reasoning = min(max(usage.reasoningTokens, 0), max(usage.outputTokens, 0))
        let answer = max(usage.outputTokens, 0) - reasoning
        let cachedPrice = pricing.cachedInputPerMTok.value > 0 ? pricing.cachedInputPerMTok : pricing.inputPerMTok
        let reasoningPrice = pricing.reasoningPerMTok ?? pricing.outputPerMTok
        value = Int64(uncached) * pricing.inputPerMTok.value + Int64(cached) * cachedPrice.value
            + Int64(answer) * pricing.outputPerMTok.value + Int64(reasoning) * reasoningPrice.value
    }

    /// Parses a dollar amount such as `0.00042` exactly; nil if negative, malformed or finer than 1e-12.
    public init?(decimal text: String) {
        guard let value = DecimalUnits.parse(text, fractionDigits: 12) else { return nil }
        self.value = value
    }

    /// Dollars as a decimal string with up to twelve fraction digits (`0.00042`).
    public var description: String { DecimalUnits.format(value, fractionDigits: 12) }

    /// The amount in dollars as a JSON number literal.
    public var json: JSONValue { .number(description) }
}

/// Integers counting a fixed decimal fraction of a unit (micro-, picodollars), to and from decimal text.
enum DecimalUnits {
    static func scale(_ digits: Int) -> Int64 { (0..<digits).reduce(Int64(1)) { value, _ in value * 10 } }

    /// `text` (digits, at most one point) in units of 10^-digits; nil if malformed, negative, too precise or too large.
    static func parse(_ text: String, fractionDigits digits: Int) -> Int64? {
        var integer: Int64 = 0
        var fraction: Int64 = 0
        var fractionCount = 0
        var seenPoint = false
        var count = 0
        let limit = Int64.max / scale(digits) / 10
        for ch in text.utf8 {
            if ch == UInt8(ascii: ".") {
                guard !seenPoint else { return nil }
                seenPoint = true
                continue
            }
            guard ch >= 48, ch <= 57 else { return nil }
            count += 1
            let d = Int64(ch - 48)
            if seenPoint {
                fractionCount += 1
                if fractionCount > digits {
                    guard d == 0 else { return nil }
                    continue
                }
                fraction = fraction * 10 + d
            } else {
                guard integer < limit else { return nil }
                integer = integer * 10 + d
            }
        }
        guard count > 0 else { return nil }
        return integer * scale(digits) + fraction * scale(digits - min(fractionCount, digits))
    }

    /// `value` units as decimal text without trailing zeros (`2.5`, `0.000125`, `3`).
    static func format(_ value: Int64, fractionDigits digits: Int) -> String {
        let unit = UInt64(scale(digits))
        let magnitude = value.magnitude
        var fraction = magnitude % unit
        var shown = fraction == 0 ? 0 : digits
        while shown > 0 && fraction % 10 == 0 {
            fraction /= 10
            shown -= 1
        }
        // Built in place (a cost goes out on every answer): sign, whole part, then the fraction zero-padded.
        return String(writingAtMost: 22 + shown) { text in
            if value < 0 { text.append(UInt8(ascii: "-")) }
            text.appendDecimal(Int(magnitude / unit))
            if shown > 0 {
                text.append(UInt8(ascii: "."))
                text.appendDecimal(Int(fraction), minimumDigits: shown)
            }
        }
    }
}
