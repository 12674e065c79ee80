/// One plain-HTTP endpoint and its idle keep-alive connections. The pool finds it once a request, from the URL, and
/// each connection holds it, so taking a connection and handing it back hash nothing.
final class PlainDestination {
    let endpoint: PlainEndpoint
    /// Idle connections, the most recently used last.
    var idle: [PlainConnection] = []
    /// Connections carrying a request now; a destination with none and nothing idle may be forgotten.
    var busyCount = 0

    init(endpoint: PlainEndpoint) { self.endpoint = endpoint }
}
