/// Incremental decoder of a `Transfer-Encoding: chunked` body (RFC 9112 §7.1).
public struct ChunkedDecoder: Sendable {
    enum State: Sendable {
        case size(digits: Int, value: Int, inExtension: Bool, sawCR: Bool, lineBytes: Int)
        case data(remaining: Int)
        case dataCR, dataLF
        case trailerLineStart
        case trailerLine(sawCR: Bool, lineBytes: Int, empty: Bool)
        case done
    }

    var state: State = .size(digits: 0, value: 0, inExtension: false, sawCR: false, lineBytes: 0)
    let maxBodyBytes: Int
    public private(set) var bodyBytes = 0
    static let maxLineBytes = 4096

    public init(maxBodyBytes: Int) { self.maxBodyBytes = maxBodyBytes }

    public var isDone: Bool { if case .done = state { return true } else { return false } }

    /// Consumes bytes from `input`, appending decoded data to `body`; returns how many bytes were used.
    /// Stops at the end of the chunked body; throws on malformed framing or an oversized body.
    public mutating func decode(_ input: UnsafeBufferPointer<UInt8>, into body: inout [UInt8]) throws -> Int {
        var i = 0
        while i < input.count {
            switch state {
            case .done:
                return i
            case .size(var digits, var value, var inExtension, let sawCR, var lineBytes):
                let byte = input[i]
                i += 1
                lineBytes += 1
                guard lineBytes <= Self.maxLineBytes else { throw HTTPParseError.badRequest("chunk size line too long") }
                if sawCR {
                    guard byte == 10, digits > 0 else { throw HTTPParseError.badRequest("invalid chunk size line") }
                    if value == 0 {
                        state = .trailerLineStart
                    } else {
                        guard bodyBytes + value <= maxBodyBytes else { throw HTTPParseError.bodyTooLarge }
                        state = .data(remaining: value)
                    }
                    continue
                }
                if byte == 13 {
                    state = .size(digits: digits, value: value, inExtension: inExtension, sawCR: true, lineBytes: lineBytes)
                    continue
                }
                if inExtension {
                    guard byte == 9 || (byte >= 32 && byte != 127) else { throw HTTPParseError.badRequest("invalid chunk extension") }
                } else if let hex = Self.hexValue(byte) {
                    guard digits < 15 else { throw HTTPParseError.badRequest("chunk size too large") }
                    digits += 1
                    value = value << 4 | Int(hex)
                } else if (byte == 59 || byte == 32 || byte == 9), digits > 0 {
                    inExtension = true
                } else {
                    throw HTTPParseError.badRequest("invalid chunk size")
                }
                state = .size(digits: digits, value: value, inExtension: inExtension, sawCR: false, lineBytes: lineBytes)
            case .data(let remaining):
                let take = min(remaining, input.count - i)
                body.append(contentsOf: UnsafeBufferPointer(rebasing: input[i..<i + take]))
                bodyBytes += take
                i += take
                state = remaining - take == 0 ? .dataCR : .data(remaining: remaining - take)
            case .dataCR:
                guard input[i] == 13 else { throw HTTPParseError.badRequest("chunk data not followed by CRLF") }
                i += 1
                state = .dataLF
            case .dataLF:
                guard input[i] == 10 else { throw HTTPParseError.badRequest("chunk data not followed by CRLF") }
                i += 1
                state = .size(digits: 0, value: 0, inExtension: false, sawCR: false, lineBytes: 0)
            case .trailerLineStart:
                state = .trailerLine(sawCR: false, lineBytes: 0, empty: true)
            case .trailerLine(let sawCR, var lineBytes, let empty):
                let byte = input[i]
                i += 1
                lineBytes += 1
                guard lineBytes <= Self.maxLineBytes else { throw HTTPParseError.headersTooLarge }
                if sawCR {
                    guard byte == 10 else { throw HTTPParseError.badRequest("bare CR in trailer") }
                    state = empty ? .done : .trailerLine(sawCR: false, lineBytes: 0, empty: true)
                } else if byte == 13 {
                    state = .trailerLine(sawCR: true, lineBytes: lineBytes, empty: empty)
                } else if byte == 10 || byte == 0 {
                    throw HTTPParseError.badRequest("invalid byte in trailer")
                } else {
                    state = .trailerLine(sawCR: false, lineBytes: lineBytes, empty: false)
                }
            }
        }
        return i
    }

    static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 48...57: return b - 48
        case 65...70: return b - 55
        case 97...102: return b - 87
        default: return nil
        }
    }
}
