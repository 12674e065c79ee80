import Core
import Dispatch
import Glibc
import Synchronization
import Testing

@Suite struct PlatformThreadTests {
    /// `top -H`, `perf` and /proc tell the gateway's threads apart by name; the kernel keeps 15 bytes of it.
    @Test func startedThreadsCarryTheirNameTruncatedTo15Bytes() {
        let seen = Mutex<[String]>([])
        let done = DispatchSemaphore(value: 0)
        for name in ["http-loop-0", "request-log-writer"] {
            Platform.startThread(name: name) {
                let comm = (try? String(contentsOfProcFile: "/proc/thread-self/comm")) ?? ""
                seen.withLock { $0.append(comm) }
                done.signal()
            }
            done.wait()
        }
        #expect(seen.withLock { $0 } == ["http-loop-0", "request-log-wri"])
    }
}

private extension String {
    init(contentsOfProcFile path: String) throws {
        guard let file = fopen(path, "r") else { throw CancellationError() }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 64)
        guard fgets(&buffer, 64, file) != nil else { throw CancellationError() }
        self = String(decoding: buffer.prefix { $0 != 0 && $0 != 10 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
