import Glibc

/// A JSON object seen only at its top level: every key with the byte range of its raw value.
/// The whole document is validated (syntax, UTF-8, depth) but nested values are not built, so the
/// hot path can read the few fields it needs and forward or splice the original bytes.
public struct JSONObjectScan: Sendable {
    /// One top-level member: where its key's text and its value lie. Keys are compared as bytes and no `String` is
    /// made for them (building one cost ~300 instructions, ten a request); a key written with escapes, which
    /// bytes cannot be compared against, is kept decoded in `escapedKeys` (plain data: no reference counts).
    struct Member: Sendable {
        let key: Range<Int>
        let value: Range<Int>
        /// The position of the decoded key in `escapedKeys`, or -1 when the key has no escapes.
        let escapedKey: Int
    }

    /// The document, or the document a nested object was read from (`object(_:)` scans its member in place).
    let storage: [UInt8]
    /// Where this object lies in `storage`: all of it, unless nested.
    let span: Range<Int>
    private let members: [Member]
    private let escapedKeys: [String]
    /// Bit n set when some key is n bytes long (bit 63: 63 or more; every bit once a key has escapes), so most lookups
    /// of an absent key (the optional parameters a request is checked for) end at one test.
    private let keyLengths: UInt64
    /// The offset in `storage` just after the opening `{`.
    private let openedAt: Int

    /// The object's bytes (ranges from `range(of:)`, `fields` and `bodyStart` index these).
    public var bytes: [UInt8] { span.count == storage.count ? storage : Array(storage[span]) }

    /// The byte offset in `bytes` just after the opening `{`.
    public var bodyStart: Int { openedAt - span.lowerBound }

    /// Top-level keys in document order with their value's byte range in `bytes` (last duplicate wins on lookup).
    public var fields: [(key: String, range: Range<Int>)] { members.map { (key(of: $0), relative($0.value)) } }

    /// Validates `bytes` as one JSON object; throws `JSONParseError` otherwise.
    public init(_ bytes: [UInt8], maxDepth: Int = JSONParser.defaultMaxDepth) throws {
        try self.init(storage: bytes, span: bytes.indices, maxDepth: maxDepth)
    }

    /// Scans the object at `span` of `storage` (validating it), sharing the array rather than copying the span out.
    init(storage: [UInt8], span: Range<Int>, maxDepth: Int = JSONParser.defaultMaxDepth) throws {
        self.storage = storage
        self.span = span
        var members: [Member] = []
        members.reserveCapacity(16)
        var escapedKeys: [String] = []
        var keyLengths: UInt64 = 0
        var start = 0
        try storage.withUnsafeBufferPointer { whole in
            // Cut at the span's end so the scan ends there; indices stay those of `storage`.
            let buffer = UnsafeBufferPointer(rebasing: whole[..<span.upperBound])
            var cursor = JSONParser.Cursor(bytes: buffer, maxDepth: maxDepth)
            cursor.index = span.lowerBound
            cursor.skipWhitespace()
            guard cursor.index < buffer.count, buffer[cursor.index] == UInt8(ascii: "{") else {
                throw cursor.error("expected a JSON object")
            }
            cursor.index += 1
            start = cursor.index
            cursor.skipWhitespace()
            if cursor.index < buffer.count, buffer[cursor.index] == UInt8(ascii: "}") {
                cursor.index += 1
            } else {
                while true {
                    cursor.skipWhitespace()
                    guard cursor.index < buffer.count, buffer[cursor.index] == UInt8(ascii: "\"") else { throw cursor.error("expected a string key") }
                    let keyStart = cursor.index
                    try cursor.skipString()
                    let key = (keyStart + 1)..<(cursor.index - 1)
                    var escapedKey = -1
                    if buffer[key].contains(UInt8(ascii: "\\")) {
                        var decoder = JSONParser.Cursor(bytes: buffer, maxDepth: maxDepth)
                        decoder.index = keyStart
                        escapedKey = escapedKeys.count
                        escapedKeys.append(try decoder.parseString())
                    }
                    cursor.skipWhitespace()
                    guard cursor.index < buffer.count, buffer[cursor.index] == UInt8(ascii: ":") else { throw cursor.error("expected ':'") }
                    cursor.index += 1
                    cursor.skipWhitespace()
                    let valueStart = cursor.index
                    try cursor.skipValue(depth: 1)
                    members.append(Member(key: key, value: valueStart..<cursor.index, escapedKey: escapedKey))
                    keyLengths |= escapedKey >= 0 ? ~0 : Self.lengthBit(key.count)
                    cursor.skipWhitespace()
                    guard cursor.index < buffer.count else { throw cursor.error("unterminated object") }
                    if buffer[cursor.index] == UInt8(ascii: ",") { cursor.index += 1; continue }
                    if buffer[cursor.index] == UInt8(ascii: "}") { cursor.index += 1; break }
                    throw cursor.error("expected ',' or '}'")
                }
            }
            cursor.skipWhitespace()
            guard cursor.index == buffer.count else { throw cursor.error("unexpected data after the JSON value") }
        }
        self.members = members
        self.escapedKeys = escapedKeys
        self.keyLengths = keyLengths
        self.openedAt = start
    }

    /// A range of `storage` as a range of `bytes`.
    private func relative(_ range: Range<Int>) -> Range<Int> { (range.lowerBound - span.lowerBound)..<(range.upperBound - span.lowerBound) }

    private static func lengthBit(_ length: Int) -> UInt64 { 1 << UInt64(min(length, 63)) }

    /// The byte range of `key`'s value in `bytes`.
    public func range(of key: String) -> Range<Int>? { valueRange(of: key).map(relative) }

    /// The byte range of `key`'s value in `storage`.
    func valueRange(of key: String) -> Range<Int>? {
        let length = key.utf8.count
        guard keyLengths & Self.lengthBit(length) != 0 else { return nil }
        var index = members.count
        while index > 0 {
            index -= 1
            let member = members[index]
            if member.escapedKey >= 0 {
                if escapedKeys[member.escapedKey] == key { return member.value }
            } else if member.key.count == length && keyBytes(member.key, equal: key) {  // lengths settle most
                return member.value
            }
        }
        return nil
    }

    private func keyBytes(_ range: Range<Int>, equal key: String) -> Bool {
        var key = key
        return key.withUTF8 { wanted in
            storage.withUnsafeBufferPointer { buffer in
                wanted.isEmpty || memcmp(buffer.baseAddress! + range.lowerBound, wanted.baseAddress!, wanted.count) == 0
            }
        }
    }

    /// The text of a member's key.
    private func key(of member: Member) -> String {
        member.escapedKey >= 0 ? escapedKeys[member.escapedKey] : String(decoding: storage[member.key], as: UTF8.self)
    }

    /// `key`'s value, built (only this one).
    public func value(_ key: String) -> JSONValue? {
        guard let range = valueRange(of: key) else { return nil }
        // Parsed where it lies (the scan validated it), without copying it out first.
        return storage.withUnsafeBufferPointer { buffer in
            var cursor = JSONParser.Cursor(bytes: UnsafeBufferPointer(rebasing: buffer[range]), maxDepth: JSONParser.defaultMaxDepth)
            return try? cursor.parseValue(depth: 0)
        }
    }

    /// Whether `key`'s value is an empty array, read from the raw bytes (building the value to look cost a parse of
    /// every element); nil when the value is absent or not an array.
    public func arrayIsEmpty(_ key: String) -> Bool? {
        guard let range = valueRange(of: key), storage[range.lowerBound] == UInt8(ascii: "[") else { return nil }
        var index = range.lowerBound + 1
        // The scan validated it: whitespace, then a `]` or the first element.
        while storage[index] == 0x20 || storage[index] == 0x09 || storage[index] == 0x0A || storage[index] == 0x0D { index += 1 }
        return storage[index] == UInt8(ascii: "]")
    }

    /// The object without the fields named in `keys` (the others keep their raw bytes, in order).
    public func removing(_ keys: Set<String>) -> [UInt8] {
        let fields = self.fields, bytes = self.bytes
        guard fields.contains(where: { keys.contains($0.key) }) else { return bytes }
        var out: [UInt8] = [UInt8(ascii: "{")]
        for field in fields where !keys.contains(field.key) {
            if out.count > 1 { out.append(UInt8(ascii: ",")) }
            out += JSONWriter.encode(.string(field.key))
            out.append(UInt8(ascii: ":"))
            out += bytes[field.range]
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// The document with each key's value replaced (or added as a new field when absent), every other
    /// byte left as it was.
    public func setting(_ changes: [(key: String, value: JSONValue)]) -> [UInt8] {
        let bytes = self.bytes
        var replacements: [(range: Range<Int>, bytes: [UInt8])] = []
        var added: [UInt8] = []
        for (key, value) in changes {
            if let range = range(of: key) {
                replacements.removeAll { $0.range == range }  // the same key set twice: the last value wins
                replacements.append((range, JSONWriter.encode(value)))
            } else {
                added.append(contentsOf: JSONWriter.encode(.string(key)))
                added.append(UInt8(ascii: ":"))
                added.append(contentsOf: JSONWriter.encode(value))
                added.append(UInt8(ascii: ","))
            }
        }
        if members.isEmpty && !added.isEmpty { added.removeLast() }
        if replacements.count > 1 { replacements.sort { $0.range.lowerBound < $1.range.lowerBound } }
        // Written once, front to back: the new fields right after the `{`, then the document with each replaced value swapped.
        let size = replacements.reduce(bytes.count + added.count) { $0 + $1.bytes.count - $1.range.count }
        return bytes.withUnsafeBytes { source in
            [UInt8](writingAtMost: size) { out in
                out.appendBytes(UnsafeRawBufferPointer(rebasing: source[..<bodyStart]))
                added.withUnsafeBytes { out.appendBytes($0) }
                var copied = bodyStart
                for replacement in replacements {
                    out.appendBytes(UnsafeRawBufferPointer(rebasing: source[copied..<replacement.range.lowerBound]))
                    replacement.bytes.withUnsafeBytes { out.appendBytes($0) }
                    copied = replacement.range.upperBound
                }
                out.appendBytes(UnsafeRawBufferPointer(rebasing: source[copied...]))
            }
        }
    }
}

extension JSONParser.Cursor {
    /// Moves past one value, validating it without building it.
    mutating func skipValue(depth: Int) throws {
        guard index < bytes.count else { throw error("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard depth < maxDepth else { throw error("nesting deeper than \(maxDepth) levels") }
            let isObject = bytes[index] == UInt8(ascii: "{")
            let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
            index += 1
            skipWhitespace()
            if index < bytes.count, bytes[index] == close { index += 1; return }
            while true {
                skipWhitespace()
                if isObject {
                    guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a string key") }
                    try skipString()
                    skipWhitespace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
                    index += 1
                    skipWhitespace()
                }
                try skipValue(depth: depth + 1)
                skipWhitespace()
                guard index < bytes.count else { throw error("unterminated \(isObject ? "object" : "array")") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == close { index += 1; return }
                throw error("expected ',' or '\(Character(Unicode.Scalar(close)))'")
            }
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try expectLiteral("true")
        case UInt8(ascii: "f"): try expectLiteral("false")
        case UInt8(ascii: "n"): try expectLiteral("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try skipNumber()
        default: throw error("unexpected character")
        }
    }

    /// Moves past a string, checking escapes, control characters and UTF-8 without building it. Printable ASCII,
    /// nearly every byte of a completion, is checked eight bytes at a time.
    mutating func skipString() throws {
        var at = index + 1
        let raw = UnsafeRawBufferPointer(bytes)
        while true {
            at = JSONStringBytes.firstSpecial(in: raw, from: at)
            guard at < bytes.count else { break }
            let byte = bytes[at]
            if byte == UInt8(ascii: "\"") { index = at + 1; return }
            if byte == UInt8(ascii: "\\") {
                guard at + 1 < bytes.count else { break }
                index = at
                switch bytes[at + 1] {
                case UInt8(ascii: "u"):
                    index = at + 2
                    _ = try readUnicodeEscape()
                    at = index
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    at += 2
                default:
                    throw error("invalid escape")
                }
                continue
            }
            index = at
            if byte < 0x20 { throw error("control character in string") }
            try skipUTF8Sequence()
            at = index
        }
        index = at
        throw error("unterminated string")
    }

    /// Validates one multi-byte UTF-8 sequence (see `UTF8Check`).
    mutating func skipUTF8Sequence() throws {
        guard let length = UTF8Check.sequenceLength(in: bytes, at: index) else { throw error("invalid UTF-8 in string") }
        index += length
    }
}
