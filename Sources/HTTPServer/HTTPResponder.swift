import HTTPKit
import Synchronization

/// Sends one response on a connection, whole or streamed; usable from any thread.
///
/// A streamed body applies backpressure: check `isWritable` before producing more and register
/// `whenWritable` to be told when the client has caught up.
public final class HTTPResponder: Sendable {
    let loop: EventLoop
    // Safety of `connection`: only read and written on the loop thread, inside `loop.execute`.
    /// Strong, and let go in `completed` or `cancelled` (a `weak` reference gave every connection a side table, and every
    /// retain and release of it then took the runtime's slow path).
    nonisolated(unsafe) var connection: Connection?
    let highWater: Int
    /// Bytes handed to the loop and not yet moved into the connection's write queue.
    let inTransit = Atomic<Int>(0)
    /// Bytes in the connection's write queue.
    let queued = Atomic<Int>(0)
    private let callbacks = Mutex<Callbacks>(Callbacks())

    struct Callbacks {
        var onCancel: (@Sendable () -> Void)?
        var whenWritable: (@Sendable () -> Void)?
        var cancelled = false
    }

    init(connection: Connection, loop: EventLoop, highWater: Int) {
        self.connection = connection
        self.loop = loop
        self.highWater = highWater
    }

    /// Sends a complete response.
    public func respond(_ response: HTTPResponse) {
        if loop.inLoop { return connection?.sendComplete(response, from: self) ?? () }
        loop.execute { [self] in connection?.sendComplete(response, from: self) }
    }

    /// Sends the status and headers of a streamed (chunked) response.
    public func startStream(status: Int, headers: HTTPHeaders) {
        if loop.inLoop { return connection?.sendStreamHead(status: status, headers: headers, from: self) ?? () }
        loop.execute { [self] in connection?.sendStreamHead(status: status, headers: headers, from: self) }
    }

    /// Sends one piece of a streamed body.
    public func write(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        if loop.inLoop { return connection?.sendStreamChunk(bytes, from: self) ?? () }
        inTransit.add(bytes.count, ordering: .relaxed)
        loop.execute { [self] in
            inTransit.subtract(bytes.count, ordering: .relaxed)
            connection?.sendStreamChunk(bytes, from: self)
        }
    }

    /// Ends a streamed body.
    public func finishStream() {
        if loop.inLoop { return connection?.sendStreamEnd(from: self) ?? () }
        loop.execute { [self] in connection?.sendStreamEnd(from: self) }
    }

    /// Closes the connection without completing the response (the client sees a truncated body).
    public func abort() {
        loop.execute { [self] in
            if let connection, connection.active === self { connection.close() }
        }
    }

    /// Runs `task` on this response's event loop at `deadline` (monotonic nanoseconds), on the loop's own timer list:
    /// no thread hop, so a paced stream's events leave when they are due.
    public func runOnLoop(atNanos deadline: UInt64, _ task: @escaping @Sendable () -> Void) {
        loop.execute { [loop] in loop.schedule(atNanos: deadline, task) }
    }

    /// True while the client keeps up with the streamed body.
    public var isWritable: Bool {
        inTransit.load(ordering: .relaxed) + queued.load(ordering: .relaxed) < highWater
    }

    /// True once the client went away before the response completed.
    public var isCancelled: Bool { callbacks.withLock { $0.cancelled } }

    /// Calls `callback` (on the loop thread) once the queued bytes fall below the low-water mark; at once if already writable.
    public func whenWritable(_ callback: @escaping @Sendable () -> Void) {
        callbacks.withLock { $0.whenWritable = callback }
        loop.execute { [self] in notifyIfWritable() }
    }

    /// Calls `callback` once if the client disconnects before the response completes; at once if it already has.
    public func onCancel(_ callback: @escaping @Sendable () -> Void) {
        let alreadyCancelled = callbacks.withLock { state -> Bool in
            if state.cancelled { return true }
            state.onCancel = callback
            return false
        }
        if alreadyCancelled { callback() }
    }

    func notifyIfWritable() {
        guard inTransit.load(ordering: .relaxed) + queued.load(ordering: .relaxed) < highWater / 2 else { return }
        let callback = callbacks.withLock { state in
            defer { state.whenWritable = nil }
            return state.whenWritable
        }
        callback?()
    }

    /// The response went out whole: callbacks will never run, so drop them (and what they hold) and the connection.
    /// Called by the connection, on its loop.
    func completed() {
        connection = nil
        callbacks.withLock { state in
            state.onCancel = nil
            state.whenWritable = nil
        }
    }

    /// The connection closed before the response was complete: let it go and run the cancel callbacks once. Called by
    /// the connection, on its loop.
    func cancelled() {
        connection = nil
        let callbacksToRun = callbacks.withLock { state -> [@Sendable () -> Void] in
            guard !state.cancelled else { return [] }
            state.cancelled = true
            defer { state.onCancel = nil; state.whenWritable = nil }
            return [state.onCancel, state.whenWritable].compactMap { $0 }
        }
        for callback in callbacksToRun { callback() }
    }
}
