import CLinux
import Core
import Glibc
import Synchronization

/// An HTTP/1.1 server: one epoll event loop per configured loop, each with its own `SO_REUSEPORT` listener.
public final class HTTPServer: Sendable {
    /// The port actually bound (useful when configured with port 0).
    public let port: Int
    let loops: [EventLoop]
    let configuration: HTTPServerConfiguration
    /// Live counters of this server.
    public let statistics: ServerStatistics

    /// Binds the listeners and starts the loops.
    public init(configuration: HTTPServerConfiguration, handler: any HTTPHandler, statistics: ServerStatistics = ServerStatistics()) throws {
        self.configuration = configuration
        self.statistics = statistics
        // Many idle keep-alive connections are normal for a gateway: use the hard file-descriptor limit.
        _ = clinux_raise_nofile_limit()
        var loops: [EventLoop] = []
        var port = configuration.port
        for index in 0..<max(1, configuration.loopCount) {
            let loop = try EventLoop(configuration: configuration, handler: handler, statistics: statistics)
            let fd = clinux_listen_tcp(configuration.host, Int32(port), 1, 4096)
            guard fd >= 0 else {
                for started in loops { started.beginDrain(deadline: 0) }
                throw SystemError(call: "listen \(configuration.host):\(port)", errno: -fd)
            }
            if port == 0 { port = Int(clinux_local_port(fd)) }
            loop.listener = Listener(fd: fd)
            _ = clinux_epoll_ctl(loop.epollFD, EPOLL_CTL_ADD, fd, CLINUX_EPOLLIN, UInt64(fd))
            loop.start(name: "http-loop-\(index)")
            loops.append(loop)
        }
        self.port = port
        self.loops = loops
    }

    /// The listening URL, e.g. `http://127.0.0.1:8080`.
    public var url: String {
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        return "http://\(host):\(port)"
    }

    /// Stops accepting, lets in-flight requests and streams finish for up to `graceSeconds`, then returns.
    public func shutdown(graceSeconds: Double = 30) {
        let deadline = Timestamp.monotonicNanos() + UInt64(graceSeconds * 1_000_000_000)
        for loop in loops { loop.beginDrain(deadline: deadline) }
        for loop in loops { loop.finished.wait() }
    }
}

/// Counters a server keeps while it runs.
public final class ServerStatistics: Sendable {
    let accepted = Atomic<Int>(0)
    public init() {}
    /// Connections accepted since the server started.
    public var acceptedConnections: Int { accepted.load(ordering: .relaxed) }
}
