/// Writes one log line, a flat JSON object of `"name":value` pairs ending in a newline, straight into a byte
/// buffer (no intermediate JSON tree): the common head of every log line (`time`, `level`, `logger`, `msg`),
/// then string, integer or literal fields.
public struct JSONLineWriter {
    private var out: [UInt8]
    private var first = true

    /// Starts a line with the common head.
    public init(time: String, level: Logger.Level, logger: String, message: String) {
        out = []
        field("time", time)
        field("level", level.label)
        field("logger", logger)
        field("msg", message)
    }

    private mutating func name(_ name: String) {
        out.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
        first = false
        JSONWriter.writeString(name, into: &out)
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
