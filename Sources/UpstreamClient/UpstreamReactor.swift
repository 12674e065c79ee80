/// What the upstream client needs from the event loop it runs on: socket readiness, timers and
/// deferred tasks. All requirements except `enqueue` are called on the loop's thread only.
public protocol UpstreamReactor: AnyObject, Sendable {
    /// True on the loop's thread.
    var inLoop: Bool { get }
    /// Calls `handler(readable, writable, failed)` whenever `fd` is ready as asked; calling again changes the interest.
    func watchSocket(_ fd: Int32, readable: Bool, writable: Bool, handler: @escaping (Bool, Bool, Bool) -> Void)
    func unwatchSocket(_ fd: Int32)
    /// Runs `handler` once after `millis`; returns an id for `cancelTimer`.
    func scheduleTimer(afterMillis millis: Int, _ handler: @escaping () -> Void) -> UInt64
    func cancelTimer(_ id: UInt64)
    /// Runs `task` on the loop's thread on a later turn, never inline; callable from any thread.
    func enqueue(_ task: @escaping @Sendable () -> Void)
}
