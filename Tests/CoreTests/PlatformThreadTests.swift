import Core
import Dispatch
import Synchronization
import Testing

@Suite struct PlatformThreadTests {
    /// `top -H`, `perf` and /proc tell the gateway's threads apart by name; the kernel keeps 15 bytes of it.
    @Test func startedThreadsCarryTheirNameTruncatedTo15Bytes() {
        let seen = Mutex<[String]>([])
        let done = DispatchSemaphore(value: 0)
        for name in ["http-loop-0", "request-log-writer"] {
            Platform.startThread(name: name) {
                let comm = String(decoding: (Platform.readFile("/proc/thread-self/comm") ?? []).prefix { $0 != 10 }, as: UTF8.self)
                seen.withLock { $0.append(comm) }
                done.signal()
            }
            done.wait()
        }
        #expect(seen.withLock { $0 } == ["http-loop-0", "request-log-wri"])
    }
}

