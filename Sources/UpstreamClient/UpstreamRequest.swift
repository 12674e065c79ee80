import HTTPKit

/// One HTTP request to an upstream provider.
public struct UpstreamRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    public var connectTimeoutMillis: Int
    /// Time from start until the response head arrives.
    public var firstByteTimeoutMillis: Int
    /// Time for the whole transfer, body included.
    public var totalTimeoutMillis: Int
    /// A PEM bundle to verify the upstream's certificate with, instead of the system store.
    public var caFile: String?

    public init(method: String = "POST", url: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [],
                connectTimeoutMillis: Int = 5_000, firstByteTimeoutMillis: Int = 60_000, totalTimeoutMillis: Int = 600_000,
                caFile: String? = nil) {
        self.caFile = caFile
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeoutMillis = connectTimeoutMillis
        self.firstByteTimeoutMillis = firstByteTimeoutMillis
        self.totalTimeoutMillis = totalTimeoutMillis
    }
}

/// Why an upstream transfer failed before a complete response arrived.
public enum UpstreamError: Error, Sendable, Equatable, CustomStringConvertible {
    case connectFailed(String)
    case connectTimeout
    case firstByteTimeout
    case totalTimeout
    /// The connection broke after the response started (reset, truncated body).
    case transport(String)
    /// The upstream's bytes are not a valid HTTP/1.x response (TLS or another protocol, a broken head or
    /// chunked framing, an encoding the gateway did not ask for).
    case invalidResponse(String)
    case cancelled

    public var description: String {
        switch self {
        case .connectFailed(let why): return "could not connect: \(why)"
        case .connectTimeout: return "connect timed out"
        case .firstByteTimeout: return "no response before the first-byte timeout"
        case .totalTimeout: return "the transfer exceeded its total timeout"
        case .transport(let why): return "transfer failed: \(why)"
        case .invalidResponse(let why): return "invalid response: \(why)"
        case .cancelled: return "cancelled"
        }
    }
}

/// Timings of a finished transfer, in microseconds from its start.
public struct UpstreamMetrics: Sendable {
    public var connectMicros: Int
    public var firstByteMicros: Int
    public var totalMicros: Int
    public var httpVersion: Int
}

/// Receives a transfer's events on the client's event loop. Must not block.
public protocol UpstreamDelegate: AnyObject, Sendable {
    /// The final (non-1xx) status and headers arrived.
    func upstreamDidReceiveHead(status: Int, headers: HTTPHeaders)
    /// Body bytes arrived. Return false to refuse them for now: the transfer pauses and the same
    /// bytes are offered again after `UpstreamTransfer.resume()`.
    func upstreamDidReceive(_ bytes: UnsafeRawBufferPointer) -> Bool
    /// The transfer ended: metrics on success, the reason otherwise. Called exactly once.
    func upstreamDidFinish(_ result: Result<UpstreamMetrics, UpstreamError>)
}
