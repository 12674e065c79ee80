import Core

/// A complete response with a body known up front.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response of `value`.
    public static func json(_ status: Int, _ value: JSONValue, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var h = headers
        h.set("content-type", "application/json")
        return HTTPResponse(status: status, headers: h, body: JSONWriter.encode(value))
    }

    /// A plain-text response.
    public static func text(_ status: Int, _ text: String, contentType: String = "text/plain; charset=utf-8") -> HTTPResponse {
        HTTPResponse(status: status, headers: HTTPHeaders("content-type", contentType), body: Array(text.utf8))
    }
}

/// Serialises response heads and chunked framing.
public enum HTTPResponseEncoder {
    /// The status line and headers; adds `content-length` or `transfer-encoding: chunked` and `connection`.
    public static func head(status: Int, headers: HTTPHeaders, contentLength: Int?, keepAlive: Bool, versionMinor: Int = 1) -> [UInt8] {
        // Status line (version, up to 20 digits, the longest reason), framing and connection lines, final CRLF.
        var bound = 9 + 20 + 1 + 31 + 2 + 16 + 20 + 28 + 24 + 2
        for (name, value) in headers { bound += name.utf8.count + value.utf8.count + 4 }
        return [UInt8](writingAtMost: bound) { out in
            out.appendUTF8(versionMinor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ")
            out.appendDecimal(status)
            out.append(32)
            out.appendUTF8(reasonPhrase(status))
            out.appendCRLF()
            for (name, value) in headers {
                out.appendUTF8(name)
                out.append(58)
                out.append(32)
                out.appendUTF8(value)
                out.appendCRLF()
            }
            if let length = contentLength {
                out.appendUTF8("content-length: ")
                out.appendDecimal(length)
                out.appendCRLF()
            } else if status != 204 && status != 304 && !(100..<200).contains(status) {
                out.appendUTF8("transfer-encoding: chunked\r\n")
            }
            if !keepAlive {
                out.appendUTF8("connection: close\r\n")
            } else if versionMinor == 0 {
                out.appendUTF8("connection: keep-alive\r\n")
            }
            out.appendCRLF()
        }
    }

    /// The size line of a chunk of `count` bytes.
    public static func chunkHeader(_ count: Int) -> [UInt8] {
        [UInt8](writingAtMost: 18) { out in appendChunkHeader(count, into: &out) }
    }

    /// A whole chunk in one buffer: size line, `data` and the closing CRLF. For small chunks (a stream's events), where
    /// copying the data costs less than a size line of its own and three buffers to queue and write.
    public static func chunk(_ data: [UInt8]) -> [UInt8] {
        [UInt8](writingAtMost: data.count + 20) { out in
            appendChunkHeader(data.count, into: &out)
            data.withUnsafeBytes { out.appendBytes($0) }
            out.appendCRLF()
        }
    }

    private static func appendChunkHeader(_ count: Int, into out: inout BoundedByteWriter) {
        precondition(count >= 0)
        out.appendHex(UInt64(count), digits: max(1, (Int.bitWidth - count.leadingZeroBitCount + 3) / 4))
        out.appendCRLF()
    }

    /// The CRLF that ends a chunk's data.
    public static let crlf: [UInt8] = [13, 10]

    /// The last chunk that ends a chunked body.
    public static let lastChunk: [UInt8] = Array("0\r\n\r\n".utf8)

    /// The standard reason phrase of a status code.
    public static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 100: return "Continue"
        case 200: return "OK"
        case 201: return "Created"
        case 204: return "No Content"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 409: return "Conflict"
        case 413: return "Content Too Large"
        case 415: return "Unsupported Media Type"
        case 422: return "Unprocessable Content"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        case 505: return "HTTP Version Not Supported"
        default: return "Status"
        }
    }
}

extension ByteSink {
    /// Appends CR LF (two appends: an array literal here would be built on every call).
    @inlinable public mutating func appendCRLF() {
        append(13)
        append(10)
    }
}
