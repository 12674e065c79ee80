/// Why a request could not be read; each maps to the status the server answers before closing.
public enum HTTPParseError: Error, Sendable, Equatable {
    case badRequest(String)
    case headersTooLarge
    case bodyTooLarge
    case methodNotAllowed(String)
    case notImplemented(String)
    case versionNotSupported

    /// The HTTP status to answer with.
    public var status: Int {
        switch self {
        case .badRequest: return 400
        case .headersTooLarge: return 431
        case .bodyTooLarge: return 413
        case .methodNotAllowed: return 405
        case .notImplemented: return 501
        case .versionNotSupported: return 505
        }
    }

    /// A short human-readable reason.
    public var message: String {
        switch self {
        case .badRequest(let why): return why
        case .headersTooLarge: return "request line and headers exceed the size limit"
        case .bodyTooLarge: return "request body exceeds the size limit"
        case .methodNotAllowed(let method): return "method \(method) is not allowed"
        case .notImplemented(let what): return "\(what) is not implemented"
        case .versionNotSupported: return "only HTTP/1.0 and HTTP/1.1 are supported"
        }
    }
}

/// Size limits the parser enforces.
public struct HTTPParserLimits: Sendable {
    /// Request line plus headers, in bytes.
    public var maxHeadBytes: Int
    public var maxHeaderCount: Int
    public var maxBodyBytes: Int

    public init(maxHeadBytes: Int = 32 * 1024, maxHeaderCount: Int = 128, maxBodyBytes: Int = 10 * 1024 * 1024) {
        self.maxHeadBytes = maxHeadBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
    }
}
