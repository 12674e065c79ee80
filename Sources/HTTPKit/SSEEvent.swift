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
