import Core
/// How a request's body is delimited.
enum BodyFraming {
    case none
    case length(Int)
    case chunked
}

/// Parses a request line and header block (without the final empty line) and decides body framing.
enum HTTPHeadParser {
    /// The headers that decide framing, noted from their bytes while the head is read (so no second pass looks them up).
    struct FramingHeaders {
        var hostCount = 0
        var encodings: [String] = []
        /// How many Content-Length fields came, and the first one's value: nil when it is not a plain decimal number
        /// (refused once the head is read, after the checks that come first).
        var lengthCount = 0
        var firstLength: Int?
        /// Some `Expect` field lists `100-continue`.
        var expectsContinue = false

        mutating func note(_ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>) {
            switch name.count {
            case 4 where asciiCaseInsensitiveEquals(name, lowercase: "host"): hostCount += 1
            case 6 where asciiCaseInsensitiveEquals(name, lowercase: "expect"):
                if commaList(value, contains: "100-continue") { expectsContinue = true }
            case 14 where asciiCaseInsensitiveEquals(name, lowercase: "content-length"):
                if lengthCount == 0 { firstLength = ASCIIDecimal.value(value) }
                lengthCount += 1
            case 17 where asciiCaseInsensitiveEquals(name, lowercase: "transfer-encoding"):
                encodings.append(String(decoding: value, as: UTF8.self))
            default: break
            }
        }
    }

    /// The request (without its body), how its body is framed, and whether the client waits for `100 Continue`.
    static func parse(_ head: UnsafeBufferPointer<UInt8>, limits: HTTPParserLimits) throws -> (HTTPRequest, BodyFraming, expectsContinue: Bool) {
        var request: HTTPRequest?
        var headers = HTTPHeaders()
        var framingHeaders = FramingHeaders()
        var headerCount = 0
        func take(_ line: UnsafeBufferPointer<UInt8>) throws {
            guard request != nil else {
                request = try parseRequestLine(line)
                return
            }
            headerCount += 1
            guard headerCount <= limits.maxHeaderCount else { throw HTTPParseError.headersTooLarge }
            let (name, value) = try parseHeaderLine(line)
            framingHeaders.note(name, value)
            headers.add(String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
        }
        var lineStart = 0
        var i = 0
        while i < head.count {
            let byte = head[i]
            if byte == 13 {
                guard i + 1 < head.count, head[i + 1] == 10 else { throw HTTPParseError.badRequest("bare CR in request head") }
                try take(UnsafeBufferPointer(rebasing: head[lineStart..<i]))
                i += 2
                lineStart = i
                continue
            }
            if byte == 10 { throw HTTPParseError.badRequest("bare LF in request head") }
            if byte == 0 { throw HTTPParseError.badRequest("NUL byte in request head") }
            i += 1
        }
        try take(UnsafeBufferPointer(rebasing: head[lineStart..<head.count]))
        guard var parsed = request else { throw HTTPParseError.badRequest("malformed request line") }
        parsed.headers = headers
        return (parsed, try framing(versionMinor: parsed.versionMinor, framingHeaders), framingHeaders.expectsContinue)
    }

    static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case 48...57, 65...90, 97...122: return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
             UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
             UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default: return false
        }
    }

    static func parseRequestLine(_ line: UnsafeBufferPointer<UInt8>) throws -> HTTPRequest {
        // METHOD SP TARGET SP VERSION: exactly two spaces, found in place.
        guard let firstSpace = line.firstIndex(of: 32),
              let secondSpace = line[(firstSpace + 1)...].firstIndex(of: 32),
              !line[(secondSpace + 1)...].contains(32),
              firstSpace > 0, secondSpace > firstSpace + 1 else { throw HTTPParseError.badRequest("malformed request line") }
        let methodBytes = UnsafeBufferPointer(rebasing: line[0..<firstSpace])
        let targetBytes = UnsafeBufferPointer(rebasing: line[(firstSpace + 1)..<secondSpace])
        guard methodBytes.allSatisfy(isTokenByte) else { throw HTTPParseError.badRequest("invalid method") }
        guard targetBytes.allSatisfy({ $0 > 32 && $0 < 127 }) else { throw HTTPParseError.badRequest("invalid request target") }
        let method = String(decoding: methodBytes, as: UTF8.self)
        let target = String(decoding: targetBytes, as: UTF8.self)
        let version = UnsafeBufferPointer(rebasing: line[(secondSpace + 1)...])
        let minor: Int
        if bytesEqual(version, "HTTP/1.1") {
            minor = 1
        } else if bytesEqual(version, "HTTP/1.0") {
            minor = 0
        } else {
            if version.starts(with: "HTTP/".utf8), version.count == 8 { throw HTTPParseError.versionNotSupported }
            throw HTTPParseError.badRequest("malformed HTTP version")
        }
        if method == "CONNECT" { throw HTTPParseError.methodNotAllowed(method) }
        guard targetBytes[0] == UInt8(ascii: "/") || (target == "*" && method == "OPTIONS") else {
            throw HTTPParseError.badRequest("request target must be in origin form")
        }
        return HTTPRequest(method: method, target: target, versionMinor: minor)
    }

    /// A header line's name and value (without the spaces around it), checked, in place.
    static func parseHeaderLine(_ line: UnsafeBufferPointer<UInt8>) throws -> (name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) {
        guard let first = line.first else { throw HTTPParseError.badRequest("empty header line") }
        if first == 32 || first == 9 { throw HTTPParseError.badRequest("obsolete line folding is not allowed") }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0 else { throw HTTPParseError.badRequest("header line without a colon") }
        guard line[0..<colon].allSatisfy(isTokenByte) else { throw HTTPParseError.badRequest("invalid header name") }
        var start = colon + 1
        var end = line.count
        while start < end, line[start] == 32 || line[start] == 9 { start += 1 }
        while end > start, line[end - 1] == 32 || line[end - 1] == 9 { end -= 1 }
        for b in line[start..<end] where (b < 32 && b != 9) || b == 127 {
            throw HTTPParseError.badRequest("control character in header value")
        }
        return (UnsafeBufferPointer(rebasing: line[0..<colon]), UnsafeBufferPointer(rebasing: line[start..<end]))
    }

    static func framing(versionMinor: Int, _ seen: FramingHeaders) throws -> BodyFraming {
        if versionMinor == 1, seen.hostCount != 1 { throw HTTPParseError.badRequest("exactly one Host header is required") }
        let encodings = seen.encodings
        if !encodings.isEmpty {
            guard seen.lengthCount == 0 else { throw HTTPParseError.badRequest("both Content-Length and Transfer-Encoding present") }
            guard versionMinor == 1 else { throw HTTPParseError.badRequest("Transfer-Encoding in an HTTP/1.0 request") }
            let codings = encodings.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }.map { $0.trimmingSpaces() }
            guard let last = codings.last, last.caseInsensitiveEquals("chunked") else {
                throw HTTPParseError.badRequest("chunked must be the final transfer coding")
            }
            if codings.count > 1 {
                if codings.dropLast().contains(where: { $0.caseInsensitiveEquals("chunked") }) {
                    throw HTTPParseError.badRequest("chunked applied more than once")
                }
                throw HTTPParseError.notImplemented("transfer coding \(codings[0])")
            }
            return .chunked
        }
        guard seen.lengthCount > 0 else { return .none }
        guard seen.lengthCount == 1 else { throw HTTPParseError.badRequest("more than one Content-Length header") }
        guard let length = seen.firstLength else { throw HTTPParseError.badRequest("invalid Content-Length") }
        return length == 0 ? .none : .length(length)
    }
}
