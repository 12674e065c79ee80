import Core
import HTTPServer
import Synchronization

/// Counters mock-llm exposes at `GET /mock/stats`, so tests can see what reached the upstream.
final class MockStats: Sendable {
    struct Counts {
        var requests = 0
        var streamsStarted = 0
        var streamsCompleted = 0
        var streamsAborted = 0
        var lastModel: String?
        var lastAuthorization: String?
        var lastRequestID: String?
        var lastTraceparent: String?
    }

    private let counts = Mutex(Counts())
    /// The listener's own counters (connections accepted).
    let server = ServerStatistics()

    func update(_ change: (inout Counts) -> Void) { counts.withLock { change(&$0) } }

    var json: JSONValue {
        counts.withLock { c in
            .object([("requests", .int(c.requests)), ("streams_started", .int(c.streamsStarted)),
                     ("streams_completed", .int(c.streamsCompleted)), ("streams_aborted", .int(c.streamsAborted)),
                     ("active_streams", .int(c.streamsStarted - c.streamsCompleted - c.streamsAborted)),
                     ("connections_accepted", .int(server.acceptedConnections)), ("last_model", .optional(c.lastModel)), ("last_authorization_present", .bool(c.lastAuthorization != nil)),
                     ("last_request_id", .optional(c.lastRequestID)), ("last_traceparent", .optional(c.lastTraceparent))])
        }
    }
}
