import CLinux
import Core
import Glibc

/// The event loop's keep-alive connections to plain-HTTP upstreams, by endpoint. Idle connections stay
/// watched, so one the upstream closes is dropped when it closes, not found dead on the next request.
final class PlainConnectionPool {
    unowned let client: UpstreamHTTPClient
    var reactor: any UpstreamReactor { client.reactor }
    private var idle: [PlainEndpoint: [PlainConnection]] = [:]
    private var busy: [Int32: PlainConnection] = [:]
    private var sweepTimer: UInt64?
    /// One read buffer for every connection of the loop: bytes are handed on before the next read.
    let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    static let maxIdlePerEndpoint = 256
    static let idleTimeoutNanos: UInt64 = 55_000_000_000

    init(client: UpstreamHTTPClient) { self.client = client }

    deinit { readBuffer.deallocate() }

    /// Sends `transfer` over an idle connection to `endpoint`, or a new one.
    func start(_ transfer: UpstreamTransfer, on endpoint: PlainEndpoint, allowReuse: Bool = true) {
        if allowReuse, let connection = idle[endpoint]?.popLast() {
            busy[connection.fd] = connection
            connection.reused = true
            connection.begin(transfer, connectTimeoutMillis: nil)
            return
        }
        let fd = clinux_connect_tcp(endpoint.address, Int32(endpoint.port))
        guard fd >= 0 else {
            let why = String(cString: strerror(-fd))
            reactor.enqueue { [client] in client.finish(transfer, .failure(.connectFailed(why))) }
            return
        }
        let connection = PlainConnection(fd: fd, endpoint: endpoint, pool: self)
        busy[fd] = connection
        connection.begin(transfer, connectTimeoutMillis: transfer.request.connectTimeoutMillis)
    }

    /// Takes back a connection whose response was read completely.
    func release(_ connection: PlainConnection) {
        busy[connection.fd] = nil
        guard idle[connection.endpoint, default: []].count < Self.maxIdlePerEndpoint else {
            close(connection)
            return
        }
        connection.idleSinceNanos = Timestamp.monotonicNanos()
        // Appended in place: a copy of the list taken out of the dictionary would be copied whole to grow.
        idle[connection.endpoint, default: []].append(connection)
        if sweepTimer == nil { scheduleSweep() }
    }

    /// Closes an idle connection the upstream closed or wrote to unasked.
    func discard(_ connection: PlainConnection) {
        idle[connection.endpoint]?.removeAll { $0 === connection }
        close(connection)
    }

    /// Closes a connection that is not (or no longer) in the idle list.
    func close(_ connection: PlainConnection) {
        busy[connection.fd] = nil
        reactor.unwatchSocket(connection.fd)
        Glibc.close(connection.fd)
    }

    /// Closes connections idle for longer than most upstreams keep them, before the upstream does.
    private func scheduleSweep() {
        sweepTimer = reactor.scheduleTimer(afterMillis: 5_000) { [weak self] in
            guard let self else { return }
            sweepTimer = nil
            let cutoff = Timestamp.monotonicNanos() &- Self.idleTimeoutNanos
            for (endpoint, list) in idle {
                let (stale, fresh) = (list.filter { $0.idleSinceNanos < cutoff }, list.filter { $0.idleSinceNanos >= cutoff })
                stale.forEach(close)
                idle[endpoint] = fresh.isEmpty ? nil : fresh
            }
            if !idle.isEmpty { scheduleSweep() }
        }
    }
}
