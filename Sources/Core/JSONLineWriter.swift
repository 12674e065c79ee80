/// Writes one log line, a flat JSON object of `"name":value` pairs ending in a newline, straight into a byte
/// buffer (no intermediate JSON tree): the common head of every log line (`time`, `level`, `logger`, `msg`),
/// then string, integer or literal fields.
public struct JSONLineWriter {
    private var out: [UInt8]
    private var first = true

    /// Starts a line with the common head, after what `buffer` already holds (earlier lines of a batch).
    public init(time: String, level: Logger.Level, logger: String, message: String, appendingTo buffer: [UInt8] = []) {
        out = buffer
        field("time", time)
        field("level", level.label)
        field("logger", logger)
        field("msg", message)
    }

    /// Field names are the gateway's own identifiers (letters, digits, `_`): written as they are, not escaped.
    private mutating func name(_ name: String) {
        out.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
        first = false
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: name.utf8)
        out.append(UInt8(ascii: "\""))
        out.append(UInt8(ascii: ":"))
    }

    /// A string field (null when nil).
    public mutating func field(_ name: String, _ value: String?) {
        self.name(name)
        if let value { JSONWriter.writeString(value, into: &out) } else { out.append(contentsOf: "null".utf8) }
    }

    /// An integer field (null when nil).
    public mutating func field(_ name: String, _ value: Int?) {
        literal(name, value.map(String.init))
    }

    public mutating func field(_ name: String, _ value: Bool) {
        literal(name, value ? "true" : "false")
    }

    /// A field whose value is already JSON text (a number literal); null when nil.
    public mutating func literal(_ name: String, _ json: String?) {
        self.name(name)
        out.append(contentsOf: (json ?? "null").utf8)
    }

    /// Closes the object and the line.
    public mutating func finish() -> [UInt8] {
        out.append(contentsOf: "}\n".utf8)
        return out
    }
}
