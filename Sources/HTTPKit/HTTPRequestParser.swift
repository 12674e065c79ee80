/// Incremental HTTP/1.1 request parser: feed bytes as they arrive, take complete requests out in order.
///
/// Strict about framing (RFC 9112): CRLF line endings only, no obs-fold, no whitespace before a
/// header colon, exactly one framing header, `chunked` as the only transfer coding.
public struct HTTPRequestParser: Sendable {
    enum State: Sendable {
        case head(scanFrom: Int)
        case fixedBody(HTTPRequest, remaining: Int)
        case chunkedBody(HTTPRequest, ChunkedDecoder)
        case failed
    }

    public let limits: HTTPParserLimits
    var buffer: [UInt8] = []
    var readIndex = 0
    var state: State = .head(scanFrom: 0)
    var continuePending = false

    public init(limits: HTTPParserLimits = HTTPParserLimits()) { self.limits = limits }

    /// Bytes received but not yet part of a returned request.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    /// True while part of a request has been received (used to pick the header-read timeout).
    public var isMidRequest: Bool {
        if case .head = state { return bufferedByteCount > 0 }
        return true
    }

    /// Adds received bytes.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        buffer.append(contentsOf: bytes)
    }

    /// Adds received bytes.
    public mutating func append<Bytes: Sequence<UInt8>>(_ bytes: Bytes) { buffer.append(contentsOf: bytes) }

    /// True once, when a request's head asked `Expect: 100-continue` and its body is still to come.
    public mutating func takeContinueRequest() -> Bool {
        defer { continuePending = false }
        return continuePending
    }

    /// The next complete request, or nil when more bytes are needed. After a throw the parser stays failed.
    public mutating func next() throws -> HTTPRequest? {
        do {
            let request = try step()
            compact()
            return request
        } catch {
            state = .failed
            throw error
        }
    }

    mutating func compact() {
        if readIndex > 0 && (readIndex == buffer.count || readIndex > 64 * 1024) {
            buffer.removeSubrange(0..<readIndex)
            if case .head(let scan) = state { state = .head(scanFrom: max(0, scan - readIndex)) }
            readIndex = 0
        }
    }

    mutating func step() throws -> HTTPRequest? {
        while true {
            switch state {
            case .failed:
                throw HTTPParseError.badRequest("connection already failed")
            case .head(let scanFrom):
                // Ignore empty lines before a request line (RFC 9112 §2.2).
                while readIndex + 1 < buffer.count, buffer[readIndex] == 13, buffer[readIndex + 1] == 10 { readIndex += 2 }
                guard let end = findHeadEnd(from: max(readIndex, scanFrom)) else {
                    if buffer.count - readIndex > limits.maxHeadBytes { throw HTTPParseError.headersTooLarge }
                    state = .head(scanFrom: max(readIndex, buffer.count - 3))
                    return nil
                }
                guard end - readIndex <= limits.maxHeadBytes else { throw HTTPParseError.headersTooLarge }
                let (request, framing, expectsContinue) = try buffer.withUnsafeBufferPointer {
                    try HTTPHeadParser.parse(UnsafeBufferPointer(rebasing: $0[readIndex..<end]), limits: limits)
                }
                readIndex = end + 4
                switch framing {
                case .none:
                    state = .head(scanFrom: readIndex)
                    return request
                case .length(let length):
                    guard length <= limits.maxBodyBytes else { throw HTTPParseError.bodyTooLarge }
                    if length == 0 { state = .head(scanFrom: readIndex); return request }
                    continuePending = expectsContinue
                    var withBody = request
                    withBody.body.reserveCapacity(length)
                    state = .fixedBody(withBody, remaining: length)
                case .chunked:
                    continuePending = expectsContinue
                    state = .chunkedBody(request, ChunkedDecoder(maxBodyBytes: limits.maxBodyBytes))
                }
            case .fixedBody(var request, let remaining):
                let available = buffer.count - readIndex
                guard available > 0 else { return nil }
                let take = min(available, remaining)
                request.body.append(contentsOf: buffer[readIndex..<readIndex + take])
                readIndex += take
                if take == remaining {
                    continuePending = false
                    state = .head(scanFrom: readIndex)
                    return request
                }
                state = .fixedBody(request, remaining: remaining - take)
                return nil
            case .chunkedBody(var request, var decoder):
                guard buffer.count > readIndex else { return nil }
                state = .failed
                let used = try buffer.withUnsafeBufferPointer {
                    try decoder.decode(UnsafeBufferPointer(rebasing: $0[readIndex...]), into: &request.body)
                }
                readIndex += used
                if decoder.isDone {
                    continuePending = false
                    state = .head(scanFrom: readIndex)
                    return request
                }
                state = .chunkedBody(request, decoder)
                return nil
            }
        }
    }

    /// Index of the `\r\n\r\n` ending the head, searching from `start`.
    func findHeadEnd(from start: Int) -> Int? {
        guard buffer.count >= 4 else { return nil }
        var i = start
        let limit = buffer.count - 3
        while i < limit {
            if buffer[i + 3] != 10 { i += buffer[i + 3] == 13 ? 1 : 4; continue }
            if buffer[i] == 13, buffer[i + 1] == 10, buffer[i + 2] == 13 { return i }
            i += 1
        }
        return nil
    }
}
