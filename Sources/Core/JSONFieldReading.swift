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
        guard let range = valueRange(of: key) else { return nil }
        // Plain digits (every token count) are read in place; anything else as the parser reads numbers.
        return ASCIIDecimal.value(storage[range]) ?? self.value(key)?.intValue
    }

    /// Scanned in place: the nested scan shares this one's array (a copy of the member cost an allocation and a copy).
    public func object(_ key: String) -> JSONObjectScan? {
        guard let range = valueRange(of: key), storage[range.lowerBound] == UInt8(ascii: "{") else { return nil }
        return try? JSONObjectScan(storage: storage, span: range)
    }
}
