import CLinux
import Core
import Glibc

/// The event loop's keep-alive connections to plain-HTTP upstreams, by endpoint. Idle connections stay
/// watched, so one the upstream closes is dropped when it closes, not found dead on the next request.
final class PlainConnectionPool {
    unowned let client: UpstreamHTTPClient
    var reactor: any UpstreamReactor { client.reactor }
    /// Every endpoint in use, one destination each (two URLs naming one endpoint share its connections).
    private var destinations: [PlainEndpoint: PlainDestination] = [:]
    /// Upstream URLs already parsed (nil: not one for the plain client), so the hot path parses each URL once.
    private var byURL: [String: PlainDestination?] = [:]
    private var busy: [Int32: PlainConnection] = [:]
    private var sweepTimer: UInt64?
    /// One read buffer for every connection of the loop: bytes are handed on before the next read.
    let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    static let maxIdlePerEndpoint = 256
    static let idleTimeoutNanos: UInt64 = 55_000_000_000

    init(client: UpstreamHTTPClient) { self.client = client }

    deinit {
        for destination in destinations.values { destination.idle.removeAll() }  // idle connections hold their destination
        readBuffer.deallocate()
    }

    /// Where `url` is served over the pool's own connections; nil when it is not a plain-HTTP URL at an IP literal or localhost.
    func destination(forURL url: String) -> PlainDestination? {
        if let known = byURL[url] { return known }
        if byURL.count >= 4096 {
            byURL.removeAll()
            destinations = destinations.filter { !$0.value.idle.isEmpty || $0.value.busyCount > 0 }
        }
        let destination = PlainEndpoint(url: url).map { endpoint in
            if let existing = destinations[endpoint] { return existing }
            let created = PlainDestination(endpoint: endpoint)
            destinations[endpoint] = created
            return created
        }
        byURL[url] = .some(destination)
        return destination
    }

    /// Sends `transfer` over an idle connection to `destination`, or a new one.
    func start(_ transfer: UpstreamTransfer, on destination: PlainDestination, allowReuse: Bool = true) {
        destination.busyCount += 1
        if allowReuse, let connection = destination.idle.popLast() {
            busy[connection.fd] = connection
            connection.reused = true
            connection.begin(transfer, connectTimeoutMillis: nil)
            return
        }
        let fd = clinux_connect_tcp(destination.endpoint.address, Int32(destination.endpoint.port))
        guard fd >= 0 else {
            destination.busyCount -= 1
            let why = String(cString: strerror(-fd))
            reactor.enqueue { [client] in client.finish(transfer, .failure(.connectFailed(why))) }
            return
        }
        let connection = PlainConnection(fd: fd, destination: destination, pool: self)
        busy[fd] = connection
        connection.begin(transfer, connectTimeoutMillis: transfer.request.connectTimeoutMillis)
    }

    /// Takes back a connection whose response was read completely.
    func release(_ connection: PlainConnection) {
        markNotBusy(connection)
        let destination = connection.destination
        guard destination.idle.count < Self.maxIdlePerEndpoint else {
            close(connection)
            return
        }
        connection.idleSinceNanos = Timestamp.monotonicNanos()
        destination.idle.append(connection)
        if sweepTimer == nil { scheduleSweep() }
    }

    /// Closes an idle connection the upstream closed or wrote to unasked.
    func discard(_ connection: PlainConnection) {
        connection.destination.idle.removeAll { $0 === connection }
        close(connection)
    }

    /// Closes a connection that is not (or no longer) in the idle list.
    func close(_ connection: PlainConnection) {
        markNotBusy(connection)
        reactor.unwatchSocket(connection.fd)
        Glibc.close(connection.fd)
    }

    private func markNotBusy(_ connection: PlainConnection) {
        if busy.removeValue(forKey: connection.fd) != nil { connection.destination.busyCount -= 1 }
    }

    /// Closes connections idle for longer than most upstreams keep them, before the upstream does. The timer holds the
    /// pool (until the sweep finds nothing idle): a `weak` capture gave the pool a side table, and each of its
    /// connections' reads of it the runtime's slow path.
    private func scheduleSweep() {
        sweepTimer = reactor.scheduleTimer(afterMillis: 5_000) { [self] in
            sweepTimer = nil
            let cutoff = Timestamp.monotonicNanos() &- Self.idleTimeoutNanos
            var anyIdle = false
            for destination in destinations.values where !destination.idle.isEmpty {
                let stale = destination.idle.filter { $0.idleSinceNanos < cutoff }
                destination.idle.removeAll { $0.idleSinceNanos < cutoff }
                stale.forEach(close)
                anyIdle = anyIdle || !destination.idle.isEmpty
            }
            if anyIdle { scheduleSweep() }
        }
    }
}
