import CLinux
import Core
import Dispatch
import Glibc
import Synchronization

/// One epoll event loop on its own thread; owns a listener's connections. Everything it owns is confined to that thread.
public final class EventLoop: @unchecked Sendable {
    // Safety: `pending` is guarded by its Mutex; every other stored property is touched only on the loop thread.
    let epollFD: Int32
    let wakeFD: Int32
    private let pending = Mutex<[@Sendable () -> Void]>([])
    private var threadID = pthread_t()
    private let started = DispatchSemaphore(value: 0)
    private var stopped = false

    var listener: Listener?
    var connections = FileDescriptorTable<Connection>()
    let configuration: HTTPServerConfiguration
    let handler: any HTTPHandler
    let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    var draining = false
    var drainDeadline: UInt64 = 0
    let finished = DispatchSemaphore(value: 0)
    /// Counters shared by the server's loops.
    let statistics: ServerStatistics
    private var nextTimerScan: UInt64 = 0
    private var acceptPausedUntil: UInt64 = 0
    /// Accept pauses in a row (out of descriptors or memory): logged when the first begins and when accepts work again.
    private var acceptPauses = 0
    /// Handlers of file descriptors other code registered on this loop (libcurl's sockets).
    var watchers = FileDescriptorTable<(UInt32) -> Void>()
    var watchedFlags = FileDescriptorTable<UInt32>()
    /// One-shot timers, ordered by deadline.
    var timers: [LoopTimer] = []
    var nextTimerID: UInt64 = 1
    /// Objects kept per loop, such as the loop's upstream client.
    var locals: [ObjectIdentifier: AnyObject] = [:]
    /// Set when a task was queued from the loop itself, so the next wait does not block.
    var queuedFromLoop = false
    /// Connections with output produced this turn, flushed together before the loop waits again.
    var connectionsToFlush: [Connection] = []

    init(configuration: HTTPServerConfiguration, handler: any HTTPHandler, statistics: ServerStatistics) throws {
        self.statistics = statistics
        self.configuration = configuration
        self.handler = handler
        epollFD = clinux_epoll_create()
        guard epollFD >= 0 else { throw SystemError(call: "epoll_create1", errno: errno) }
        wakeFD = clinux_eventfd()
        guard wakeFD >= 0 else { throw SystemError(call: "eventfd", errno: errno) }
        _ = clinux_epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, CLINUX_EPOLLIN, UInt64(wakeFD))
    }

    /// Starts the loop thread and returns once it runs.
    func start(name: String) {
        Platform.startThread(name: name) { [self] in
            threadID = pthread_self()
            started.signal()
            run()
        }
        started.wait()
    }

    /// True when called on this loop's thread.
    public var inLoop: Bool { pthread_equal(pthread_self(), threadID) != 0 }

    /// Runs `task` on the loop thread: at once when already there, otherwise queued and the loop woken.
    public func execute(_ task: @escaping @Sendable () -> Void) {
        if inLoop {
            task()
            return
        }
        enqueue(task)
    }

    /// Runs `task` on the loop thread on a later turn, never inline (safe from inside callbacks).
    public func enqueue(_ task: @escaping @Sendable () -> Void) {
        let wasEmpty = pending.withLock { queue in
            queue.append(task)
            return queue.count == 1
        }
        if inLoop {
            queuedFromLoop = true
        } else if wasEmpty {
            _ = clinux_eventfd_signal(wakeFD)
        }
    }

    private func runPendingTasks() {
        queuedFromLoop = false
        _ = clinux_eventfd_drain(wakeFD)
        let tasks = pending.withLock { queue in
            let taken = queue
            queue.removeAll()
            return taken
        }
        for task in tasks { task() }
    }

    private func run() {
        let maxEvents: Int32 = 256
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: Int(maxEvents))
        defer { events.deallocate() }
        while !stopped {
            let count = clinux_epoll_wait(epollFD, events, maxEvents, queuedFromLoop ? 0 : waitMillis())
            if count < 0 && errno != EINTR { break }
            for index in 0..<max(0, count) {
                let token = Int32(truncatingIfNeeded: clinux_epoll_event_token(events, index))
                let flags = clinux_epoll_event_flags(events, index)
                if token == wakeFD {
                    runPendingTasks()
                } else if let listener, token == listener.fd {
                    acceptConnections(listener)
                } else if let connection = connections[token] {
                    connection.handleEvents(flags)
                } else if let watcher = watchers[token] {
                    watcher(flags)
                }
            }
            runDueTimers()
            if queuedFromLoop { runPendingTasks() }
            flushConnections()
            let now = Timestamp.monotonicNanos()
            if now >= nextTimerScan {
                nextTimerScan = now + 100_000_000
                scanTimers(now: now)
            }
        }
        for connection in connections.values { connection.close() }
        listener?.close()
        readBuffer.deallocate()
        close(epollFD)
        close(wakeFD)
        finished.signal()
    }

    private func flushConnections() {
        while !connectionsToFlush.isEmpty {
            let batch = connectionsToFlush
            connectionsToFlush.removeAll(keepingCapacity: true)
            for connection in batch { connection.flush() }
        }
    }

    private func acceptConnections(_ listener: Listener) {
        var peer = [CChar](repeating: 0, count: 64)
        while !draining {
            let fd = clinux_accept(listener.fd, &peer, 64)
            if fd < 0 {
                let code = -fd
                if code == EAGAIN || code == EINTR || code == ECONNABORTED { return }
                // Out of file descriptors or memory: stop accepting for a moment, keep serving existing connections.
                if acceptPauses == 0 { configuration.logger.warning("accept failed; pausing accepts", [("errno", String(code))]) }
                acceptPauses += 1
                _ = clinux_epoll_ctl(epollFD, EPOLL_CTL_DEL, listener.fd, 0, 0)
                acceptPausedUntil = Timestamp.monotonicNanos() + 100_000_000
                return
            }
            if acceptPauses > 0 {
                configuration.logger.info("accepting again", [("pauses", String(acceptPauses))])
                acceptPauses = 0
            }
            _ = clinux_set_nodelay(fd)
            let address = String(decoding: peer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let connection = Connection(fd: fd, peer: address, loop: self)
            connections[fd] = connection
            statistics.accepted.add(1, ordering: .relaxed)
            _ = clinux_epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, CLINUX_EPOLLIN | CLINUX_EPOLLRDHUP, UInt64(fd))
            connection.readAvailable()
        }
    }

    func updateInterest(fd: Int32, wantsWrite: Bool, wantsRead: Bool) {
        var flags = CLINUX_EPOLLRDHUP
        if wantsRead { flags |= CLINUX_EPOLLIN }
        if wantsWrite { flags |= CLINUX_EPOLLOUT }
        _ = clinux_epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, flags, UInt64(fd))
    }

    func remove(_ connection: Connection) {
        _ = clinux_epoll_ctl(epollFD, EPOLL_CTL_DEL, connection.fd, 0, 0)
        connections[connection.fd] = nil
        if draining && connections.isEmpty { stopped = true }
    }

    private func scanTimers(now: UInt64) {
        if acceptPausedUntil != 0 && now >= acceptPausedUntil, let listener, !draining {
            acceptPausedUntil = 0
            _ = clinux_epoll_ctl(epollFD, EPOLL_CTL_ADD, listener.fd, CLINUX_EPOLLIN, UInt64(listener.fd))
            acceptConnections(listener)
        }
        for connection in connections.values { connection.checkTimeouts(now: now) }
        if draining {
            if now >= drainDeadline {
                for connection in connections.values { connection.close() }
            }
            if connections.isEmpty { stopped = true }
        }
    }

    /// Stops accepting, closes idle connections and lets in-flight ones finish until `deadline`.
    func beginDrain(deadline: UInt64) {
        execute { [self] in
            draining = true
            drainDeadline = deadline
            if let listener {
                _ = clinux_epoll_ctl(epollFD, EPOLL_CTL_DEL, listener.fd, 0, 0)
                listener.close()
                self.listener = nil
            }
            for connection in connections.values { connection.drain() }
            if connections.isEmpty { stopped = true }
        }
    }
}

/// A bound, listening socket.
final class Listener {
    let fd: Int32
    private var closed = false
    init(fd: Int32) { self.fd = fd }
    func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(fd)
    }
}
