/// An ordered list of HTTP header fields with case-insensitive lookup.
public struct HTTPHeaders: Sendable, Sequence {
    public private(set) var fields: [(name: String, value: String)] = []

    public init(_ fields: [(String, String)] = []) {
        guard !fields.isEmpty else { return }  // `add` reserves room when the first field comes: no allocation for none
        var labelled: [(name: String, value: String)] = []
        labelled.reserveCapacity(Swift.max(fields.count, Self.typicalCount))
        for (name, value) in fields { labelled.append((name, value)) }
        self.fields = labelled
    }

    /// Headers starting with one field (an array literal of one would be an array more to allocate and copy).
    public init(_ name: String, _ value: String) {
        add(name, value)
    }

    /// Room reserved up front: a request or response head usually has a handful of fields, and growing an empty
    /// array one field at a time reallocated it four times.
    static let typicalCount = 8

    /// Appends a field, keeping any existing ones of the same name.
    public mutating func add(_ name: String, _ value: String) {
        if fields.capacity == 0 { fields.reserveCapacity(Self.typicalCount) }
        fields.append((name, value))
    }

    /// Replaces every field named `name` with one field.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        fields.append((name, value))
    }

    /// Removes every field named `name`.
    public mutating func remove(_ name: String) {
        fields.removeAll { $0.name.caseInsensitiveEquals(name) }
    }

    /// The first value of `name`.
    public subscript(name: String) -> String? {
        for index in fields.indices where fields[index].name.caseInsensitiveEquals(name) { return fields[index].value }
        return nil
    }

    /// Every value of `name`, in order.
    public func values(_ name: String) -> [String] {
        var found: [String] = []
        for index in fields.indices where fields[index].name.caseInsensitiveEquals(name) { found.append(fields[index].value) }
        return found
    }

    /// True when a comma-separated header `name` lists `token` (case-insensitive).
    public func contains(_ name: String, token: String) -> Bool {
        // Read in place, without an array of the values or of their comma-separated parts.
        fields.contains { field in
            guard field.name.caseInsensitiveEquals(name) else { return false }
            var value = field.value
            return value.withUTF8 { bytes in commaList(bytes, contains: token) }
        }
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }
}

extension StringProtocol {
    /// ASCII case-insensitive equality, as header names need.
    public func caseInsensitiveEquals<Other: StringProtocol>(_ other: Other) -> Bool {
        guard utf8.count == other.utf8.count else { return false }  // most header names differ in length
        let inPlace = utf8.withContiguousStorageIfAvailable { x in
            other.utf8.withContiguousStorageIfAvailable { y in asciiCaseInsensitiveEquals(x, y) }
        }
        if let inPlace, let result = inPlace { return result }
        var a = String(self), b = String(other)
        return a.withUTF8 { x in b.withUTF8 { y in asciiCaseInsensitiveEquals(x, y) } }
    }

    /// The text without leading and trailing spaces and tabs.
    public func trimmingSpaces() -> Substring {
        var s = Substring(self)
        while let first = s.first, first == " " || first == "\t" { s.removeFirst() }
        while let last = s.last, last == " " || last == "\t" { s.removeLast() }
        return s
    }
}

/// ASCII case-insensitive comparison of two byte strings.
@inlinable
public func asciiCaseInsensitiveEquals(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Bool {
    guard x.count == y.count else { return false }
    for index in 0..<x.count {
        let a = x[index], b = y[index]
        if a == b { continue }
        if a | 0x20 != b | 0x20 || !(a | 0x20 >= 97 && a | 0x20 <= 122) { return false }
    }
    return true
}

extension String {
    /// True when the text starts with `prefix`, ASCII letters compared without case (`Bearer `, a media type), read
    /// in place: no lowercased copy.
    public func hasASCIICaseInsensitivePrefix(_ prefix: String) -> Bool {
        let length = prefix.utf8.count
        guard utf8.count >= length else { return false }
        var text = self
        return text.withUTF8 { asciiCaseInsensitiveEquals(UnsafeBufferPointer(rebasing: $0[..<length]), prefix) }
    }
}

/// ASCII case-insensitive comparison of raw bytes (a header name as received) with a string.
@inlinable
public func asciiCaseInsensitiveEquals(_ bytes: UnsafeBufferPointer<UInt8>, _ text: String) -> Bool {
    guard bytes.count == text.utf8.count else { return false }  // most names differ in length: no further work
    var text = text
    return text.withUTF8 { asciiCaseInsensitiveEquals(bytes, $0) }
}

/// ASCII case-insensitive comparison of raw bytes with a lowercase constant, without a `String` in between.
@inlinable
public func asciiCaseInsensitiveEquals(_ bytes: UnsafeBufferPointer<UInt8>, lowercase: StaticString) -> Bool {
    bytes.count == lowercase.utf8CodeUnitCount
        && asciiCaseInsensitiveEquals(bytes, UnsafeBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount))
}

/// True when a comma-separated header value lists `token` (case-insensitive; spaces and tabs around items ignored).
public func commaList(_ bytes: UnsafeBufferPointer<UInt8>, contains token: String) -> Bool {
    var start = 0
    while start <= bytes.count {
        var end = start
        while end < bytes.count && bytes[end] != UInt8(ascii: ",") { end += 1 }
        var first = start, last = end
        while first < last && (bytes[first] == 32 || bytes[first] == 9) { first += 1 }
        while last > first && (bytes[last - 1] == 32 || bytes[last - 1] == 9) { last -= 1 }
        if first < last && asciiCaseInsensitiveEquals(UnsafeBufferPointer(rebasing: bytes[first..<last]), token) { return true }
        start = end + 1
    }
    return false
}

/// Byte-for-byte comparison of raw bytes with a short constant (a protocol version, say).
@inlinable
public func bytesEqual(_ bytes: UnsafeBufferPointer<UInt8>, _ text: StaticString) -> Bool {
    guard bytes.count == text.utf8CodeUnitCount else { return false }
    for index in 0..<bytes.count where bytes[index] != text.utf8Start[index] { return false }
    return true
}
