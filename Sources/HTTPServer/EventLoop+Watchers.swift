import CLinux
import Core
import Glibc

/// A one-shot timer on an event loop.
struct LoopTimer {
    let deadline: UInt64
    let id: UInt64
    let handler: () -> Void
}

/// File-descriptor watchers, timers and per-loop objects, so other I/O (libcurl's sockets) can run on
/// the same thread as the connections it serves, with no thread hops. All of these must be called on the loop.
extension EventLoop {
    /// Calls `handler` with epoll flags whenever `fd` is ready as asked; calling again changes the interest.
    public func watch(fd: Int32, readable: Bool, writable: Bool, handler: @escaping (UInt32) -> Void) {
        precondition(inLoop, "watch(fd:) must be called on the event loop")
        var flags: UInt32 = 0
        if readable { flags |= CLINUX_EPOLLIN }
        if writable { flags |= CLINUX_EPOLLOUT }
        let previous = watchedFlags[fd]
        watchers[fd] = handler
        guard previous != flags else { return }
        watchedFlags[fd] = flags
        _ = clinux_epoll_ctl(epollFD, previous == nil ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, flags, UInt64(fd))
    }

    /// Stops watching `fd`.
    public func unwatch(fd: Int32) {
        precondition(inLoop, "unwatch(fd:) must be called on the event loop")
        guard watchers.removeValue(forKey: fd) != nil else { return }
        watchedFlags[fd] = nil
        _ = clinux_epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, 0, 0)
    }

    /// Runs `handler` once after `millis` (0: on the next turn); returns an id for `cancelTimer`.
    @discardableResult
    public func schedule(afterMillis millis: Int, _ handler: @escaping () -> Void) -> UInt64 {
        schedule(atNanos: Timestamp.monotonicNanos() + UInt64(max(0, millis)) * 1_000_000, handler)
    }

    /// Runs `handler` once at `deadline` (monotonic nanoseconds; a past deadline runs on the next turn); returns an id for `cancelTimer`.
    @discardableResult
    public func schedule(atNanos deadline: UInt64, _ handler: @escaping () -> Void) -> UInt64 {
        precondition(inLoop, "schedule(atNanos:) must be called on the event loop")
        let id = nextTimerID
        nextTimerID += 1
        let timer = LoopTimer(deadline: deadline, id: id, handler: handler)
        let index = timers.firstIndex { $0.deadline > timer.deadline } ?? timers.count
        timers.insert(timer, at: index)
        return id
    }

    /// Cancels a timer that has not fired yet.
    public func cancelTimer(_ id: UInt64) {
        precondition(inLoop, "cancelTimer must be called on the event loop")
        // Ids are unique: remove the one (a shift), not a whole-array partition that moves every closure.
        if let index = timers.firstIndex(where: { $0.id == id }) { timers.remove(at: index) }
    }

    /// The object stored under `key` on this loop, made on first use.
    public func local<T: AnyObject>(_ key: T.Type, make: () -> T) -> T {
        precondition(inLoop, "loop-local objects must be used on the event loop")
        if let existing = locals[ObjectIdentifier(key)] as? T { return existing }
        let made = make()
        locals[ObjectIdentifier(key)] = made
        return made
    }

    /// How long the next wait may block: until the first timer, at most 100 ms (the housekeeping tick).
    func waitMillis() -> Int32 {
        guard let first = timers.first else { return 100 }
        let now = Timestamp.monotonicNanos()
        guard first.deadline > now else { return 0 }
        return Int32(min(100, (first.deadline - now + 999_999) / 1_000_000))
    }

    func runDueTimers() {
        guard !timers.isEmpty else { return }
        let now = Timestamp.monotonicNanos()
        let dueCount = timers.firstIndex { $0.deadline > now } ?? timers.count
        guard dueCount > 0 else { return }
        // Take the due ones first: a handler that schedules a new zero-delay timer runs it next turn, not in a loop.
        let due = timers.prefix(dueCount)
        timers.removeFirst(dueCount)
        for timer in due { timer.handler() }
    }
}
