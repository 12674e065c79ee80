import Core
import Dispatch
import Glibc
import Store
import Synchronization

/// Writes request-log rows from a background thread in batched transactions (every 100 ms or
/// 1000 rows), so the request path never waits on SQLite. `record` is safe from any thread.
public final class RequestLogWriter: Sendable {
    struct State {
        var pending: [RequestLogEntry] = []
        var closing = false
    }

    private let database: Database
    private let state = Mutex<State>(State())
    private let wake = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    private let logger: Logger
    /// Rows queued at most; beyond this the oldest rows are dropped and counted (never expected in practice).
    let capacity: Int
    public let batchSize = 1000
    private let dropped = Atomic<Int>(0)

    public init(database: Database, capacity: Int = 200_000, logger: Logger = Logger(label: "request-log")) {
        self.database = database
        self.capacity = capacity
        self.logger = logger
        Platform.startThread(name: "request-log-writer") { [self] in run() }
    }

    /// Queues a row for writing.
    public func record(_ entry: RequestLogEntry) {
        let shouldWake = state.withLock { state -> Bool in
            if state.pending.count >= capacity {
                state.pending.removeFirst()
                dropped.add(1, ordering: .relaxed)
            }
            state.pending.append(entry)
            return state.pending.count == batchSize
        }
        if shouldWake { wake.signal() }
    }

    /// Writes everything queued and stops the writer thread.
    public func close() {
        state.withLock { $0.closing = true }
        wake.signal()
        done.wait()
    }

    private func run() {
        while true {
            _ = wake.wait(timeout: .now() + .milliseconds(100))
            let (batch, closing) = state.withLock { state in
                let batch = state.pending
                state.pending.removeAll(keepingCapacity: true)
                return (batch, state.closing)
            }
            if !batch.isEmpty { write(batch) }
            let lost = dropped.exchange(0, ordering: .relaxed)
            if lost > 0 { logger.error("request log queue was full; oldest rows dropped", [("rows", String(lost))]) }
            if closing {
                done.signal()
                return
            }
        }
    }

    private func write(_ batch: [RequestLogEntry]) {
        var offset = 0
        var failures = 0
        while offset < batch.count {
            let slice = batch[offset..<min(batch.count, offset + batchSize)]
            do {
                try database.write { try RequestLogRepository($0).insert(slice) }
                offset += slice.count
            } catch {
                failures += 1
                guard failures < 50 else {
                    logger.error("request log write keeps failing; rows lost", [("error", "\(error)"), ("rows", String(batch.count - offset))])
                    return
                }
                logger.error("request log write failed; retrying", [("error", "\(error)"), ("rows", String(slice.count))])
                usleep(200_000)
            }
        }
    }
}
