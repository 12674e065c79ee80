@testable import DataPlane
import Testing
import UpstreamClient

@Suite("Stream idle watch")
struct IdleWatchTests {
    /// A reactor whose timers run when the test says.
    final class ManualReactor: UpstreamReactor, @unchecked Sendable {
        var timers: [() -> Void] = []
        var inLoop: Bool { true }
        func watchSocket(_ fd: Int32, readable: Bool, writable: Bool, handler: @escaping (Bool, Bool, Bool) -> Void) {}
        func unwatchSocket(_ fd: Int32) {}
        func scheduleTimer(afterMillis millis: Int, _ handler: @escaping () -> Void) -> UInt64 {
            timers.append(handler)
            return UInt64(timers.count)
        }
        func cancelTimer(_ id: UInt64) {}
        func enqueue(_ task: @escaping @Sendable () -> Void) {}
        /// Runs the timers due now (those they schedule wait for the next call).
        func fire() {
            let due = timers
            timers.removeAll()
            for timer in due { timer() }
        }
    }

    final class Stream: IdleWatchedStream {
        var idleWatchSlot: Int?
        var idle = false
        var checks = 0
        func checkIdle(now: UInt64) -> Bool {
            checks += 1
            return idle
        }
    }

    @Test("streams leave when unwatched or found idle; every other one stays watched and checked on every sweep")
    func watchAndLeave() {
        let reactor = ManualReactor()
        let watch = IdleWatch<Stream>(reactor: reactor)
        let streams = (0..<6).map { _ in Stream() }
        for stream in streams { watch.watch(stream) }
        watch.watch(streams[0])  // twice: still once
        #expect(watch.count == 6 && reactor.timers.count == 1)
        watch.unwatch(streams[1])  // the last takes its place
        watch.unwatch(streams[1])  // no longer watched: nothing happens
        watch.unwatch(streams[5])
        #expect(watch.count == 4 && streams[1].idleWatchSlot == nil && streams[5].idleWatchSlot == nil)
        streams[2].idle = true
        reactor.fire()
        #expect(watch.count == 3)
        #expect(streams.map(\.checks) == [1, 0, 1, 1, 1, 0])
        reactor.fire()
        #expect(streams.map(\.checks) == [2, 0, 1, 2, 2, 0])
        for stream in [streams[0], streams[3], streams[4]] { watch.unwatch(stream) }
        #expect(watch.count == 0)
        reactor.fire()  // the last sweep finds none and stops
        #expect(reactor.timers.isEmpty)
        watch.watch(streams[1])
        #expect(watch.count == 1 && reactor.timers.count == 1)
    }
}
