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
    private mutating func name(_ name: StaticString) {
        out.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
        first = false
        out.append(UInt8(ascii: "\""))
        out.appendUTF8(name)
        out.append(UInt8(ascii: "\""))
        out.append(UInt8(ascii: ":"))
    }

    /// A string field (null when nil).
    public mutating func field(_ name: StaticString, _ value: String?) {
        self.name(name)
        if let value { JSONWriter.writeString(value, into: &out) } else { out.appendUTF8("null") }
    }

    /// A string field whose name is only known at run time (a log call's own fields); the name is escaped.
    public mutating func field(named name: String, _ value: String) {
        out.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
        first = false
        JSONWriter.writeString(name, into: &out)
        out.append(UInt8(ascii: ":"))
        JSONWriter.writeString(value, into: &out)
    }

    /// An integer field (null when nil).
    public mutating func field(_ name: StaticString, _ value: Int?) {
        self.name(name)
        if let value { out.appendDecimal(value) } else { out.appendUTF8("null") }
    }

    public mutating func field(_ name: StaticString, _ value: Bool) {
        self.name(name)
        out.appendUTF8(value ? "true" : "false")
    }

    /// A field whose value is already JSON text (a number literal); null when nil.
    public mutating func literal(_ name: StaticString, _ json: String?) {
        self.name(name)
        if let json { out.appendUTF8(json) } else { out.appendUTF8("null") }
    }

    /// Closes the object and the line.
    public mutating func finish() -> [UInt8] {
        out.appendUTF8("}\n")
        return out
    }
}
