/// A JSON object seen only at its top level: every key with the byte range of its raw value.
/// The whole document is validated (syntax, UTF-8, depth) but nested values are not built, so the
/// hot path can read the few fields it needs and forward or splice the original bytes.
public struct JSONObjectScan: Sendable {
    public let bytes: [UInt8]
    /// Top-level keys in document order with their value's byte range (last duplicate wins on lookup).
    public let fields: [(key: String, range: Range<Int>)]
    /// The byte offset just after the opening `{`.
    public let bodyStart: Int

    /// Validates `bytes` as one JSON object; throws `JSONParseError` otherwise.
    public init(_ bytes: [UInt8], maxDepth: Int = JSONParser.defaultMaxDepth) throws {
        self.bytes = bytes
        var fields: [(key: String, range: Range<Int>)] = []
        var start = 0
        try bytes.withUnsafeBufferPointer { buffer in
            var cursor = JSONParser.Cursor(bytes: buffer, maxDepth: maxDepth)
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
                    let key = try cursor.parseString()
                    cursor.skipWhitespace()
                    guard cursor.index < buffer.count, buffer[cursor.index] == UInt8(ascii: ":") else { throw cursor.error("expected ':'") }
                    cursor.index += 1
                    cursor.skipWhitespace()
                    let valueStart = cursor.index
                    try cursor.skipValue(depth: 1)
                    fields.append((key, valueStart..<cursor.index))
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
        self.fields = fields
        self.bodyStart = start
    }

    /// The byte range of `key`'s value.
    public func range(of key: String) -> Range<Int>? { fields.last { $0.key == key }?.range }

    /// `key`'s value, built (only this one).
    public func value(_ key: String) -> JSONValue? {
        guard let range = range(of: key) else { return nil }
        return try? JSONParser.parse(bytes[range])
    }

    /// The object without the fields named in `keys` (the others keep their raw bytes, in order).
    public func removing(_ keys: Set<String>) -> [UInt8] {
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
        var replacements: [(range: Range<Int>, bytes: [UInt8])] = []
        var added: [UInt8] = []
        for (key, value) in changes {
            if let range = range(of: key) {
                replacements.append((range, JSONWriter.encode(value)))
            } else {
                added.append(contentsOf: JSONWriter.encode(.string(key)))
                added.append(UInt8(ascii: ":"))
                added.append(contentsOf: JSONWriter.encode(value))
                added.append(UInt8(ascii: ","))
            }
        }
        var out = bytes
        for replacement in replacements.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
            out.replaceSubrange(replacement.range, with: replacement.bytes)
        }
        if !added.isEmpty {
            if fields.isEmpty { added.removeLast() }
            out.insert(contentsOf: added, at: bodyStart)
        }
        return out
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
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try parseNumber()
        default: throw error("unexpected character")
        }
    }

    /// Moves past a string, checking escapes, control characters and UTF-8 without building it.
    mutating func skipString() throws {
        index += 1
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { index += 1; return }
            if byte < 0x20 { throw error("control character in string") }
            if byte == UInt8(ascii: "\\") {
                guard index + 1 < bytes.count else { break }
                if bytes[index + 1] == UInt8(ascii: "u") {
                    index += 2
                    var scratch: [UInt8] = []
                    try appendUnicodeEscape(into: &scratch)
                    continue
                }
                guard [UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                       UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t")].contains(bytes[index + 1]) else {
                    throw error("invalid escape")
                }
                index += 2
                continue
            }
            if byte < 0x80 { index += 1; continue }
            try skipUTF8Sequence()
        }
        throw error("unterminated string")
    }

    /// Validates one multi-byte UTF-8 sequence (see `UTF8Check`).
    mutating func skipUTF8Sequence() throws {
        guard let length = UTF8Check.sequenceLength(in: bytes, at: index) else { throw error("invalid UTF-8 in string") }
        index += length
    }
}
