import Core
import HTTPKit

/// Answers requests. Called on an event-loop thread: it must not block; slow work goes elsewhere
/// and answers through the responder, which may be used from any thread.
public protocol HTTPHandler: Sendable {
    /// Handles one complete request; exactly one response must eventually be sent through `responder`.
    func handle(_ request: HTTPRequest, context: RequestContext, responder: HTTPResponder)
}

/// Where a request came from.
public struct RequestContext: Sendable {
    /// The peer's IP address as text.
    public let peerAddress: String
    /// The loop the request arrived on, for handlers that want to stay on it.
    public let loop: EventLoop

    /// True when the peer is on the loopback interface.
    public var isLoopbackPeer: Bool {
        peerAddress.hasPrefix("127.") || peerAddress == "::1" || peerAddress.hasPrefix("::ffff:127.")
    }
}

/// Limits, timeouts and hooks of one server.
public struct HTTPServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var loopCount: Int
    public var limits: HTTPParserLimits
    /// Time allowed to receive a request's head, from its first byte.
    public var headerTimeoutMillis: Int
    /// Time a request body may go without progress.
    public var bodyTimeoutMillis: Int
    /// An idle keep-alive connection is closed after this long.
    public var idleTimeoutMillis: Int
    /// A response whose bytes the client does not read for this long is abandoned.
    public var writeTimeoutMillis: Int
    /// A streaming responder reports "not writable" once this many bytes wait for the client.
    public var writeHighWaterBytes: Int
    public var logger: Logger
    /// Renders the body of errors the server itself answers (400, 408, 413, 431, ...).
    public var errorResponse: @Sendable (Int, String) -> HTTPResponse

    public init(host: String = "127.0.0.1", port: Int, loopCount: Int = System.coreCount, limits: HTTPParserLimits = HTTPParserLimits(),
                headerTimeoutMillis: Int = 10_000, bodyTimeoutMillis: Int = 30_000, idleTimeoutMillis: Int = 60_000,
                writeTimeoutMillis: Int = 60_000, writeHighWaterBytes: Int = 256 * 1024, logger: Logger = Logger(label: "http"),
                errorResponse: @escaping @Sendable (Int, String) -> HTTPResponse = HTTPServerConfiguration.plainError) {
        self.host = host
        self.port = port
        self.loopCount = loopCount
        self.limits = limits
        self.headerTimeoutMillis = headerTimeoutMillis
        self.bodyTimeoutMillis = bodyTimeoutMillis
        self.idleTimeoutMillis = idleTimeoutMillis
        self.writeTimeoutMillis = writeTimeoutMillis
        self.writeHighWaterBytes = writeHighWaterBytes
        self.logger = logger
        self.errorResponse = errorResponse
    }

    /// A JSON error body in the OpenAI error shape.
    public static let plainError: @Sendable (Int, String) -> HTTPResponse = { status, message in
        .json(status, .object([("error", .object([("message", .string(message)), ("type", .string("invalid_request_error")),
                                                  ("code", .null), ("param", .null)]))]))
    }
}

/// Facts about the machine.
public enum System {
    /// Online CPU cores.
    public static var coreCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}

import Glibc
