/// One server-sent event.
public struct SSEEvent: Sendable, Equatable {
    public var event: String?
    public var data: String
    public init(event: String? = nil, data: String) {
        self.event = event
        self.data = data
    }

    static let dataPrefix: [UInt8] = Array("data: ".utf8)

    /// The event in wire form, ending with a blank line.
    public var encoded: [UInt8] {
        var out: [UInt8] = []
        encode(into: &out)
        return out
    }

    /// Appends the event in wire form to `out`.
    public func encode(into out: inout [UInt8]) {
        out.reserveCapacity(out.count + data.utf8.count + 16)
        if let event {
            out.append(contentsOf: "event: ".utf8)
            out.append(contentsOf: event.utf8)
            out.append(10)
        }
        var text = data
        text.withUTF8 { bytes in
            // One `data:` line per line of the payload, copied in bulk.
            var lineStart = 0
            for index in 0...bytes.count where index == bytes.count || bytes[index] == 10 {
                out.append(contentsOf: Self.dataPrefix)
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[lineStart..<index]))
                out.append(10)
                lineStart = index + 1
            }
        }
        out.append(10)
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
        if let events = try bytes.withContiguousStorageIfAvailable({ try feed(buffer: UnsafeRawBufferPointer($0)) }) {
            return events
        }
        return try Array(bytes).withUnsafeBytes { try feed(buffer: $0) }
    }

    /// Feeds bytes, copying whole line segments at once rather than byte by byte.
    public mutating func feed(buffer: UnsafeRawBufferPointer) throws -> [SSEEvent] {
        var events: [SSEEvent] = []
        var index = 0
        let count = buffer.count
        while index < count {
            if lastWasCR {
                lastWasCR = false
                if buffer[index] == 10 {
                    index += 1
                    continue
                }
            }
            var end = index
            while end < count, buffer[end] != 10, buffer[end] != 13 { end += 1 }
            if end > index {
                guard line.count + data.count + (end - index) <= maxLineBytes else { throw SSEDecodeError.lineTooLong(limit: maxLineBytes) }
                line.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[index..<end]))
            }
            guard end < count else { break }
            lastWasCR = buffer[end] == 13
            if let event = endLine() { events.append(event) }
            index = end + 1
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
