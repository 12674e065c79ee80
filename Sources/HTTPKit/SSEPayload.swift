/// Reads the payload of one raw event (as `SSEEventSplitter` delivers them).
public enum SSEPayload {
    static let done = Array("[DONE]".utf8)

    /// True for the `data: [DONE]` event that ends an OpenAI-style stream.
    public static func isDone(_ event: UnsafeRawBufferPointer) -> Bool {
        guard event.count <= 16 else { return false }
        return Array(data(of: event)) == done
    }

    /// The event's data: its `data:` lines' values joined by newlines (other fields ignored).
    public static func data(of event: UnsafeRawBufferPointer) -> [UInt8] {
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
