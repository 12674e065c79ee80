/// An exact amount of US dollars in integer micro-dollars (1e-6 USD); never summed as Double.
public struct Micros: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var value: Int64
    public init(_ value: Int64) { self.value = value }
    public static let zero = Micros(0)

    public static func < (a: Micros, b: Micros) -> Bool { a.value < b.value }
    public static func + (a: Micros, b: Micros) -> Micros { Micros(a.value + b.value) }

    /// Parses a decimal literal such as `2.5` or `0.000125` exactly; nil if negative, malformed or finer than 1e-6.
    public init?(decimal text: String) {
        var integer: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var seenPoint = false
        var digits = 0
        for ch in text.utf8 {
            if ch == UInt8(ascii: ".") {
                guard !seenPoint else { return nil }
                seenPoint = true
                continue
            }
            guard ch >= 48, ch <= 57 else { return nil }
            digits += 1
            let d = Int64(ch - 48)
            if seenPoint {
                fractionDigits += 1
                if fractionDigits > 6 {
                    guard d == 0 else { return nil }
                    continue
                }
                fraction = fraction * 10 + d
            } else {
                guard integer < 1_000_000_000_000 else { return nil }
                integer = integer * 10 + d
            }
        }
        guard digits > 0 else { return nil }
        for _ in 0..<max(0, 6 - min(fractionDigits, 6)) { fraction *= 10 }
        value = integer * 1_000_000 + fraction
    }

    /// Dollars as a decimal string with up to six fraction digits (`2.5`, `0.000125`).
    public var description: String {
        let sign = value < 0 ? "-" : ""
        let magnitude = value.magnitude
        let whole = magnitude / 1_000_000
        var fraction = String(magnitude % 1_000_000)
        fraction = String(repeating: "0", count: 6 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.isEmpty ? "\(sign)\(whole)" : "\(sign)\(whole).\(fraction)"
    }

    /// The amount as a JSON number literal.
    public var json: JSONValue { .number(description) }
}
