import Core
import Glibc
import HTTPKit

/// How an upstream response's body is delimited (RFC 9112 §6.3).
enum ResponseFraming: Equatable {
    case none
    case length(Int)
    case chunked
    /// HTTP/1.0 style: the body ends when the upstream closes the connection.
    case untilClose
}

/// Why an upstream's response could not be read as HTTP/1.1.
struct UpstreamProtocolError: Error, Equatable, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A parsed HTTP/1.x response head: status, the headers the gateway acts on, body framing and whether
/// the connection may carry another request afterwards.
struct ResponseHead {
    var status: Int
    var headers: HTTPHeaders
    var framing: ResponseFraming
    var keepAlive: Bool

    static let maxBytes = 64 * 1024

    /// Parses `head` (status line and header lines, without the blank line that ends them), keeping only
    /// the headers named in `kept` (lowercase). Strict about framing: conflicting lengths or an
    /// unsupported transfer or content coding fail rather than risk a misread body.
    static func parse(_ head: UnsafeBufferPointer<UInt8>, kept: HeaderNameSet) throws -> ResponseHead {
        var lineStart = 0
        /// The next line without its CRLF, or nil at the end.
        func nextLine() -> Slice<UnsafeBufferPointer<UInt8>>? {
            guard lineStart <= head.count else { return nil }
            var end = head.count
            if lineStart < head.count, let base = head.baseAddress, let found = memchr(base + lineStart, 10, head.count - lineStart) {
                end = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            }
            let line = head[lineStart..<(end > lineStart && head[end - 1] == 13 ? end - 1 : end)]
            lineStart = end + 1
            return line
        }
        guard let statusLine = nextLine(), !statusLine.isEmpty else { throw UpstreamProtocolError("empty response head") }
        let (minorVersion, status) = try parseStatusLine(statusLine)
        var result = ResponseHead(status: status, headers: HTTPHeaders(), framing: .untilClose, keepAlive: minorVersion >= 1)
        var contentLength: Int?
        var chunked = false
        while let line = nextLine() {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
                  line[line.startIndex..<colon].allSatisfy(isTokenByte), !line[colon...].contains(where: { $0 == 13 || $0 == 0 }) else {
                throw UpstreamProtocolError("malformed header line in the upstream response")
            }
            let name = line[line.startIndex..<colon]
            var valueStart = colon + 1, valueEnd = line.endIndex
            while valueStart < valueEnd && (head[valueStart] == 32 || head[valueStart] == 9) { valueStart += 1 }
            while valueEnd > valueStart && (head[valueEnd - 1] == 32 || head[valueEnd - 1] == 9) { valueEnd -= 1 }
            let rawValue = head[valueStart..<valueEnd]
            if matches(name, "content-length") {
                guard let length = ASCIIDecimal.value(rawValue) else {
                    throw UpstreamProtocolError("invalid Content-Length in the upstream response")
                }
                guard contentLength == nil || contentLength == length else {
                    throw UpstreamProtocolError("conflicting Content-Length values in the upstream response")
                }
                contentLength = length
                continue
            }
            if let name = kept.member(UnsafeBufferPointer(rebasing: name)) {
                result.headers.add(name, String(decoding: rawValue, as: UTF8.self))
                continue
            }
            guard matches(name, "transfer-encoding") || matches(name, "content-encoding") || matches(name, "connection") else { continue }
            // The usual single-token `Connection` values, read without building strings.
            if matches(rawValue, "keep-alive") && matches(name, "connection") {
                if minorVersion == 0 { result.keepAlive = true }
                continue
            }
            if matches(rawValue, "close") && matches(name, "connection") {
                result.keepAlive = false
                continue
            }
            let value = String(decoding: rawValue, as: UTF8.self)
            if matches(name, "transfer-encoding") {
                let codings = value.split(separator: ",").map { $0.trimmingSpaces().lowercased() }
                guard codings == ["chunked"] else { throw UpstreamProtocolError("unsupported Transfer-Encoding '\(value)' from the upstream") }
                chunked = true
            } else if matches(name, "content-encoding") {
                guard value.caseInsensitiveEquals("identity") else {
                    throw UpstreamProtocolError("unrequested Content-Encoding '\(value)' from the upstream")
                }
            } else {
                for token in value.split(separator: ",").map({ $0.trimmingSpaces() }) {
                    if token.caseInsensitiveEquals("close") { result.keepAlive = false }
                    if token.caseInsensitiveEquals("keep-alive") && minorVersion == 0 { result.keepAlive = true }
                }
            }
        }
        if (100..<200).contains(status) || status == 204 || status == 304 {
            result.framing = .none
        } else if chunked {
            result.framing = .chunked
        } else if let contentLength {
            result.framing = contentLength == 0 ? .none : .length(contentLength)
        } else {
            result.keepAlive = false
        }
        return result
    }

    /// False once the first bytes received cannot begin an HTTP/1.x status line.
    static func mayStartResponse(_ received: [UInt8]) -> Bool {
        let prefix = "HTTP/1.".utf8
        return received.prefix(prefix.count).elementsEqual(prefix.prefix(min(prefix.count, received.count)))
    }

    /// "HTTP/1.x NNN[ reason]": the minor version and the status.
    private static func parseStatusLine(_ line: Slice<UnsafeBufferPointer<UInt8>>) throws -> (minor: Int, status: Int) {
        let base = line.startIndex
        func at(_ offset: Int) -> UInt8 { line[base + offset] }
        func isDigit(_ offset: Int) -> Bool { at(offset) >= 48 && at(offset) <= 57 }
        guard line.count >= 12, bytesEqual(UnsafeBufferPointer(rebasing: line.prefix(7)), "HTTP/1."), at(7) == 48 || at(7) == 49, at(8) == 32,
              isDigit(9), isDigit(10), isDigit(11), line.count == 12 || at(12) == 32 else {
            throw UpstreamProtocolError("malformed status line from the upstream")
        }
        let status = (Int(at(9)) - 48) * 100 + (Int(at(10)) - 48) * 10 + Int(at(11)) - 48
        guard status >= 100 else { throw UpstreamProtocolError("malformed status line from the upstream") }
        return (Int(at(7)) - 48, status)
    }

    /// RFC 9110 §5.6.2 token characters, the only ones a header name may have.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 48...57, 65...90, 97...122: return true
        case 33, 35, 36, 37, 38, 39, 42, 43, 45, 46, 94, 95, 96, 124, 126: return true  // !#$%&'*+-.^_`|~
        default: return false
        }
    }

    private static func matches(_ name: Slice<UnsafeBufferPointer<UInt8>>, _ lowercase: StaticString) -> Bool {
        asciiCaseInsensitiveEquals(UnsafeBufferPointer(rebasing: name), lowercase: lowercase)
    }
}
