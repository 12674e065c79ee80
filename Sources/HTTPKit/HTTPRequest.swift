import Core

/// A complete HTTP/1.x request: head plus fully received body.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The request target as sent (origin form: path and query).
    public var target: String
    public var versionMinor: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(method: String, target: String, versionMinor: Int = 1, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.method = method
        self.target = target
        self.versionMinor = versionMinor
        self.headers = headers
        self.body = body
    }

    /// The path part of the target, without the query.
    public var path: Substring {
        // The `?` found with `memchr` where the target's bytes lie (a walk of its UTF-8 view cost ~700 instructions).
        var target = target
        let queryAt = target.withUTF8 { ByteSearch.firstOffset(of: UInt8(ascii: "?"), in: UnsafeRawBufferPointer($0), from: 0) }
        guard let queryAt else { return Substring(target) }
        return target[..<target.utf8.index(target.utf8.startIndex, offsetBy: queryAt)]
    }

    /// Decoded query parameters (last one wins for repeated names; pairs without a name are ignored).
    public var query: [String: String] {
        guard let q = target.utf8.firstIndex(of: UInt8(ascii: "?")) else { return [:] }
        var result: [String: String] = [:]
        for pair in target[target.index(after: q)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = percentDecode(parts[0])
            guard !name.isEmpty else { continue }
            result[name] = parts.count > 1 ? percentDecode(parts[1]) : ""
        }
        return result
    }

    /// Whether the connection stays open after this request's response.
    public var keepAlive: Bool {
        if headers.contains("connection", token: "close") { return false }
        if versionMinor == 0 { return headers.contains("connection", token: "keep-alive") }
        return true
    }
}

/// Decodes `%XX` escapes and `+` as space; invalid escapes are kept literally.
public func percentDecode<S: StringProtocol>(_ text: S) -> String {
    var out: [UInt8] = []
    let bytes = Array(text.utf8)
    var i = 0
    func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 48...57: return b - 48
        case 65...70: return b - 55
        case 97...102: return b - 87
        default: return nil
        }
    }
    while i < bytes.count {
        if bytes[i] == 37, i + 2 < bytes.count, let h = hexValue(bytes[i + 1]), let l = hexValue(bytes[i + 2]) {
            out.append(h << 4 | l)
            i += 3
        } else {
            out.append(bytes[i] == 43 ? 32 : bytes[i])
            i += 1
        }
    }
    return String(decoding: out, as: UTF8.self)
}
