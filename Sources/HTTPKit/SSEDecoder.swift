/// One server-sent event.
public struct SSEEvent: Sendable, Equatable {
    public var event: String?
    public var data: String
    public init(event: String? = nil, data: String) {
        self.event = event
        self.data = data
    }

    /// The event in wire form, ending with a blank line.
    public var encoded: [UInt8] {
        var text = ""
        if let event { text += "event: \(event)\n" }
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) { text += "data: \(line)\n" }
        text += "\n"
        return Array(text.utf8)
    }
}

/// Why an event stream could not be decoded.
public enum SSEDecodeError: Error, Sendable, Equatable {
    case lineTooLong(limit: Int)
}

/// Incremental `text/event-stream` decoder (WHATWG HTML §9.2): CRLF, LF or CR line endings, comments ignored.
public struct SSEDecoder: Sendable {
    var line: [UInt8] = []
    var data: [UInt8] = []
    var hasData = false
    var eventName: String?
    var lastWasCR = false
    /// The longest line accepted; a longer one fails the stream instead of growing memory without bound.
    public let maxLineBytes: Int

    public init(maxLineBytes: Int = 4 * 1024 * 1024) { self.maxLineBytes = maxLineBytes }

    /// Feeds bytes and returns the events they complete.
    public mutating func feed<Bytes: Sequence<UInt8>>(_ bytes: Bytes) throws -> [SSEEvent] {
        var events: [SSEEvent] = []
        for byte in bytes {
            if lastWasCR {
                lastWasCR = false
                if byte == 10 { continue }
            }
            if byte == 10 || byte == 13 {
                lastWasCR = byte == 13
                if let event = endLine() { events.append(event) }
                continue
            }
            line.append(byte)
            guard line.count + data.count <= maxLineBytes else { throw SSEDecodeError.lineTooLong(limit: maxLineBytes) }
        }
        return events
    }

    /// True when bytes of an unfinished event are held (a stream that ends here was cut short).
    public var hasPartialEvent: Bool { !line.isEmpty || hasData }

    mutating func endLine() -> SSEEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty {
            defer {
                data.removeAll(keepingCapacity: true)
                hasData = false
                eventName = nil
            }
            guard hasData else { return nil }
            return SSEEvent(event: eventName, data: String(decoding: data, as: UTF8.self))
        }
        if line[0] == UInt8(ascii: ":") { return nil }
        var field = line[...]
        var value: ArraySlice<UInt8> = []
        if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            field = line[..<colon]
            value = line[(colon + 1)...]
            if value.first == 32 { value = value.dropFirst() }
        }
        switch String(decoding: field, as: UTF8.self) {
        case "data":
            if hasData { data.append(10) }
            data.append(contentsOf: value)
            hasData = true
        case "event":
            eventName = String(decoding: value, as: UTF8.self)
        default:
            break
        }
        return nil
    }
}
