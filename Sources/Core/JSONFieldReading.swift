/// Reading integer and object members by key, alike for a parsed `JSONValue` and a `JSONObjectScan` (which reads
/// them from the raw bytes without building a tree), so one reader of a shape serves both.
public protocol JSONFieldReading {
    /// The member `key` as an integer (an integral number literal); nil when absent or not one.
    func int(_ key: String) -> Int?
    /// The member `key` when it is an object.
    func object(_ key: String) -> Self?
}

extension JSONValue: JSONFieldReading {
    public func int(_ key: String) -> Int? { self[key]?.intValue }

    public func object(_ key: String) -> JSONValue? {
        guard let member = self[key], case .object = member else { return nil }
        return member
    }
}

extension JSONObjectScan: JSONFieldReading {
    public func int(_ key: String) -> Int? {
        guard let range = range(of: key) else { return nil }
        // Plain digits (every token count) are read in place; anything else as the parser reads numbers.
        return ASCIIDecimal.value(bytes[range]) ?? self.value(key)?.intValue
    }

    public func object(_ key: String) -> JSONObjectScan? {
        guard let range = range(of: key), bytes[range.lowerBound] == UInt8(ascii: "{") else { return nil }
        return try? JSONObjectScan(Array(bytes[range]))
    }
}
