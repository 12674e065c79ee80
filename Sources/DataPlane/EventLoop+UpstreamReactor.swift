import CLinux
import HTTPServer
import UpstreamClient

/// The data plane runs each loop's upstream client on that loop, so a request and its upstream
/// transfer never change threads.
extension EventLoop: UpstreamReactor {
    public func watchSocket(_ fd: Int32, readable: Bool, writable: Bool, handler: @escaping (Bool, Bool, Bool) -> Void) {
        watch(fd: fd, readable: readable, writable: writable) { flags in
            handler(flags & CLINUX_EPOLLIN != 0, flags & CLINUX_EPOLLOUT != 0, flags & (CLINUX_EPOLLERR | CLINUX_EPOLLHUP) != 0)
        }
    }

    public func unwatchSocket(_ fd: Int32) { unwatch(fd: fd) }

    public func scheduleTimer(afterMillis millis: Int, _ handler: @escaping () -> Void) -> UInt64 {
        schedule(afterMillis: millis, handler)
    }

    /// This loop's upstream client, made on first use.
    var upstreamClient: UpstreamHTTPClient { local(UpstreamHTTPClient.self) { UpstreamHTTPClient(reactor: self) } }
}
