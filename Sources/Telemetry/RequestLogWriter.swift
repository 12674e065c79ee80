import Core
import Dispatch
import Glibc
import Store
import Synchronization

/// How long request-log data is kept; enforced by the writer in small batches.
public struct RequestLogRetention: Sendable {
    /// Raw request rows and their attempts (and the minute rollups, which only serve recent ranges).
    public var requestDays: Int
    /// Hour and day rollups, which answer usage over long ranges.
    public var usageDays: Int

    public init(requestDays: Int = 30, usageDays: Int = 400) {
        self.requestDays = requestDays
        self.usageDays = usageDays
    }
}

/// Writes request-log rows from a background thread in batched transactions (every 100 ms or 1000 rows),
/// with their attempts and the usage rollups in the same transaction, so the request path never waits on
/// SQLite. `record` is safe from any thread. When the queue is full the overflow goes to an append-only
/// spill file that is replayed later, so memory stays bounded and no served request goes unlogged.
public final class RequestLogWriter: Sendable {
    struct State {
        var pending: [RequestLogEntry] = []
        var closing = false
        var spilledSinceStart = 0
    }

    private let database: Database
    private let state = Mutex<State>(State())
    /// Touched under `state`'s lock only (appends from `record`, replay hand-over from the writer).
    private nonisolated(unsafe) let spill: SpillFile?
    private let wake = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    private let logger: Logger
    private let retention: RequestLogRetention
    private let observers: [@Sendable ([RequestLogEntry]) -> Void]
    /// Rows held in memory at most; beyond this they spill to disk.
    let capacity: Int
    public let batchSize = 1000
    /// Rows written in one transaction at most. A backlog (traffic faster than one batch per write) is
    /// taken in larger transactions: rows of one stretch of time share rollup cells, so each extra row
    /// costs less, and the writer catches up instead of falling further behind.
    public static let maxTransactionRows = 8000
    /// Rows written between two offers of the CPU to any waiting thread (inside a transaction and between two). A
    /// batch is several milliseconds of work, and an event loop woken onto the writer's CPU otherwise waits for the
    /// writer's whole time slice (3 ms on Linux's EEVDF) and then for the batch's commit: 50-row transactions with a
    /// yield between them took the one-connection p99 from 2.4–3.5 ms to 0.6–0.7 ms, the open-loop p99 from 6–11 ms
    /// to 3–4 ms and the 32-connection p99 from about 5.5 to 3 ms, for 3 µs more writer CPU a row (100 rows: 0.8 ms,
    /// 4.1 ms and 1.9 µs; 200 rows: 1.4 ms, 4.5 ms and 0.9 µs). Yielding inside one large transaction fixed the first
    /// but not the others; small transactions without the yield fixed none.
    static let rowsPerYield = 50
    /// Rows a transaction holds when the writer keeps up, yielding every `rowsPerYield` rows inside it. Each commit
    /// writes to the WAL again the pages it shares with the previous one and adds its rollup upserts (seven for a
    /// keyless minute): at 32 connections the writer took 6.5 µs of CPU a row with 50-row transactions, 5.3 µs with
    /// 200 (1.8 → 1.2 µs of it in the kernel) and 5.0–5.4 µs with 1,000, and the one-connection p99 stayed under 1 ms.
    static let rowsPerTransaction = 200
    private let lost = Atomic<Int>(0)
    private let lagMillis = Atomic<Int>(0)

    /// `spillPath` nil keeps everything in memory (tests); `observers` see every row once it is written
    /// (metrics, the per-request log line), on the writer thread.
    public init(database: Database, spillPath: String? = nil, capacity: Int = 10_000, retention: RequestLogRetention = RequestLogRetention(),
                observers: [@Sendable ([RequestLogEntry]) -> Void] = [], logger: Logger = Logger(label: "request-log")) {
        self.database = database
        self.spill = spillPath.map(SpillFile.init(path:))
        self.capacity = capacity
        self.retention = retention
        self.observers = observers
        self.logger = logger
        Platform.startThread(name: "request-log-writer") { [self] in run() }
    }

    /// Queues a row for writing.
    public func record(_ entry: consuming RequestLogEntry) {
        // Moved into the queue rather than copied (a copy retains each of the row's two dozen strings).
        var handOver = Optional(entry)
        let shouldWake = state.withLock { state -> Bool in
            guard let entry = handOver.take() else { return false }
            if state.pending.count >= capacity {
                if let spill, spill.append(entry) {
                    state.spilledSinceStart += 1
                } else {
                    lost.add(1, ordering: .relaxed)
                }
                return false
            }
            state.pending.append(entry)
            return state.pending.count == batchSize
        }
        if shouldWake { wake.signal() }
    }

    /// Rows waiting in memory, rows spilled to disk since start, and how far behind the last flush was.
    public var backlog: (queued: Int, spilled: Int, lagMillis: Int) {
        let (queued, spilled) = state.withLock { ($0.pending.count, $0.spilledSinceStart) }
        return (queued, spilled, lagMillis.load(ordering: .relaxed))
    }

    /// Writes everything queued (and spilled) and stops the writer thread.
    public func close() {
        state.withLock { $0.closing = true }
        wake.signal()
        done.wait()
    }

    private func run() {
        replaySpill()
        var nextRetention = Timestamp.nowMillis() + 5_000
        var batch: [RequestLogEntry] = []
        batch.reserveCapacity(batchSize)
        while true {
            _ = wake.wait(timeout: .now() + .milliseconds(100))
            // Double-buffered: the queue and the batch being written swap places, so the lock is held for an exchange
            // of two array references (no allocation, no freeing of rows under it) and the event loops append into
            // a buffer whose memory is already in place.
            let closing = state.withLock { state in
                swap(&state.pending, &batch)
                return state.closing
            }
            let count = batch.count
            if count > 0 {
                write(batch)
                lagMillis.store(Int(Timestamp.nowMillis() - (batch.first?.createdAtMillis ?? 0)), ordering: .relaxed)
                if batch.capacity > 4 * batchSize {
                    // A burst's large buffer is let go rather than kept for good, and the memory handed back to the
                    // system (glibc keeps it otherwise).
                    batch = []
                    batch.reserveCapacity(batchSize)
                    Platform.releaseFreeMemory()
                } else {
                    batch.removeAll(keepingCapacity: true)
                }
            }
            if count < batchSize || closing { replaySpill() }
            let dropped = lost.exchange(0, ordering: .relaxed)
            if dropped > 0 { logger.error("request log queue and spill file both full; rows lost", [("rows", String(dropped))]) }
            if closing {
                done.signal()
                return
            }
            if Timestamp.nowMillis() >= nextRetention {
                enforceRetention()
                nextRetention = Timestamp.nowMillis() + 60_000
            }
        }
    }

    /// Inserts rows, their attempts and their rollups in transactions of `rowsPerTransaction` rows, yielding every `rowsPerYield` (`maxTransactionRows` for a backlog, without yields), retrying a
    /// failing write (disk full, locked) rather than dropping rows; gives up on a batch after about 10 s.
    private func write(_ batch: [RequestLogEntry]) {
        var offset = 0
        var failures = 0
        var skipped: [Int] = []
        // The observers (metrics, the log lines) see the rows written, once per batch and without copying them.
        defer {
            let written = offset == batch.count ? batch : Array(batch[..<offset])
            if !written.isEmpty { for observe in observers { observe(written.excluding(skipped)) } }
        }
        // A backlog is written in large transactions and without pauses, so the writer catches up.
        let catchingUp = batch.count > 4 * batchSize
        let rowsPerTransaction = catchingUp ? Self.maxTransactionRows : Self.rowsPerTransaction
        let pauseRows = catchingUp ? Int.max : Self.rowsPerYield
        while offset < batch.count {
            if offset > 0 && !catchingUp { Platform.yieldProcessor() }
            let rows = batch[offset..<min(batch.count, offset + rowsPerTransaction)]
            do {
                skipped += try database.write { try RequestLogRepository($0).record(rows, pausingEvery: pauseRows, pause: Platform.yieldProcessor) }
                offset = rows.endIndex
            } catch {
                failures += 1
                guard failures < 50 else {
                    logger.error("request log write keeps failing; spilling the batch", [("error", "\(error)"), ("rows", String(batch.count - offset))])
                    state.withLock { state in
                        for entry in batch[offset...] where !(spill?.append(entry) ?? false) { lost.add(1, ordering: .relaxed) }
                    }
                    return
                }
                logger.error("request log write failed; retrying", [("error", "\(error)"), ("rows", String(rows.count))])
                usleep(200_000)
            }
        }
    }

    /// Writes the rows of the spill file (this process's or a previous one's) into SQLite.
    private func replaySpill() {
        guard let spill, let path = state.withLock({ _ in spill.takeForReplay() }) else { return }
        do {
            var rows = 0
            try SpillFile.rows(at: path, batchSize: Self.maxTransactionRows) { batch in
                write(batch)
                rows += batch.count
            }
            unlink(path)
            logger.info("replayed spilled request-log rows", [("rows", String(rows))])
        } catch {
            logger.error("replaying the request-log spill file failed; will retry", [("error", "\(error)")])
        }
    }

    /// Deletes expired raw rows and rollups, a thousand at a time so the writer never stalls for long.
    private func enforceRetention() {
        let now = Timestamp.nowMillis()
        let day: Int64 = 86_400_000
        let requestCutoff = now - Int64(retention.requestDays) * day
        let usageCutoff = now - Int64(retention.usageDays) * day
        do {
            for _ in 0..<20 {
                let deleted = try database.write { connection in
                    let repository = RequestLogRepository(connection)
                    return try repository.deleteRequests(olderThan: requestCutoff, limit: 1000)
                        + repository.deleteRollups(.minute, olderThan: requestCutoff, limit: 1000)
                        + repository.deleteRollups(.hour, olderThan: usageCutoff, limit: 1000)
                        + repository.deleteRollups(.day, olderThan: usageCutoff, limit: 1000)
                }
                if deleted == 0 { break }
            }
        } catch {
            logger.error("request-log retention failed; will retry", [("error", "\(error)")])
        }
    }
}
