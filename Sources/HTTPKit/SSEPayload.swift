import Glibc

/// Reads the payload of one raw event (as `SSEEventSplitter` delivers them).
public enum SSEPayload {
    static let done = Array("[DONE]".utf8)

    /// True for the `data: [DONE]` event that ends an OpenAI-style stream. Inlined where events are relayed, so every
    /// other event is told by its length without a call.
    @inlinable
    public static func isDone(_ event: UnsafeRawBufferPointer) -> Bool {
        event.count <= 16 && isShortDone(event)
    }

    @usableFromInline
    static func isShortDone(_ event: UnsafeRawBufferPointer) -> Bool { data(of: event) == done }

    /// The event's data: its `data:` lines' values joined by newlines (other fields ignored).
    public static func data(of event: UnsafeRawBufferPointer) -> [UInt8] {
        // The usual event, one `data:` line and its terminator: the value without walking it byte by byte.
        if let base = event.baseAddress, event.starts(with: "data:".utf8) {
            func offset(of byte: Int32) -> Int { memchr(base, byte, event.count).map { base.distance(to: UnsafeRawPointer($0)) } ?? event.count }
            let lineEnd = min(offset(of: 10), offset(of: 13))
            if event[lineEnd...].allSatisfy({ $0 == 10 || $0 == 13 }) {
                let start = lineEnd > 5 && event[5] == 32 ? 6 : 5
                return Array(event[start..<lineEnd])
            }
        }
        var result: [UInt8] = []
        var sawData = false
        var lineStart = 0
        var index = 0
        while index <= event.count {
            if index == event.count || event[index] == 10 || event[index] == 13 {
                let line = event[lineStart..<index]
                if line.starts(with: "data:".utf8) {
                    var value = line.dropFirst(5)
                    if value.first == 32 { value = value.dropFirst() }
                    if sawData { result.append(10) }
                    result.append(contentsOf: value)
                    sawData = true
                }
                if index < event.count, event[index] == 13, index + 1 < event.count, event[index + 1] == 10 { index += 1 }
                lineStart = index + 1
            }
            index += 1
        }
        return result
    }
}
