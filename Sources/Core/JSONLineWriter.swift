/// Writes log lines, flat JSON objects of `"name":value` pairs each ending in a newline, straight into a byte
/// buffer (no intermediate JSON tree): the common head of every log line (`time`, `level`, `logger`, `msg`),
/// then string, integer or literal fields. One writer can hold a batch of lines (`begin`, fields, `end`, again).
public struct JSONLineWriter {
    /// A reference: copies of a writer write into the same buffer.
    private var out: ByteBuffer
    private var first = true

    /// An empty writer with room for `capacity` bytes.
    public init(reservingCapacity capacity: Int) {
        out = ByteBuffer(capacity: capacity)
    }

    /// Starts a line with the common head.
    public init(time: String, level: Logger.Level, logger: String, message: String) {
        out = ByteBuffer()
        begin(time: time, level: level, logger: logger, message: message)
    }

    /// The common head of a line (`{"time":…,"level":…,"logger":…,"msg":…`), made once for lines that share it.
    public static func head(time: String, level: Logger.Level, logger: String, message: String) -> [UInt8] {
        var writer = JSONLineWriter(reservingCapacity: 128)
        writer.begin(time: time, level: level, logger: logger, message: message)
        return writer.withUnsafeBytes { Array($0) }
    }

    /// Starts another line with a head made by `head(time:level:logger:message:)`, after the lines already written.
    public mutating func begin(head: [UInt8]) {
        head.withUnsafeBytes { out.appendBytes($0) }
        first = false
    }

    /// Starts another line with the common head, after the lines already written.
    public mutating func begin(time: String, level: Logger.Level, logger: String, message: String) {
        first = true
        field("time", time)
        field("level", level.label)
        field("logger", logger)
        field("msg", message)
    }

    /// The `{` before a line's first field, the `,` before any other.
    private mutating func separator() -> UInt8 {
        defer { first = false }
        return first ? UInt8(ascii: "{") : UInt8(ascii: ",")
    }

    /// Field names are the gateway's own identifiers (letters, digits, `_`): written as they are, not escaped.
    private mutating func name(_ name: StaticString) {
        out.appendMemberName(name, separator: separator())
    }

    /// A string field (null when nil).
    public mutating func field(_ name: StaticString, _ value: String?) {
        self.name(name)
        if let value { JSONWriter.writeString(value, into: &out) } else { out.appendUTF8("null") }
    }

    /// A string field whose name is only known at run time (a log call's own fields); the name is escaped.
    public mutating func field(named name: String, _ value: String) {
        out.append(separator())
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
    public mutating func end() {
        out.appendUTF8("}\n")
    }

    /// Bytes written so far.
    public var byteCount: Int { out.count }

    /// Calls `body` with every line written so far.
    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try out.withUnsafeBytes(body)
    }
}
