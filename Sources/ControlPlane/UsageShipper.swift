import Core
import Glibc
import Store
import Synchronization
import Telemetry
import UpstreamClient

/// Sends a data plane's request log to its control plane: rows in the order they were written, in batches,
/// each acknowledged only once the control plane has stored it (`POST /admin/v1/usage/ingest`, idempotent
/// by request id, so a batch sent twice is counted once). The local database is the buffer while the control
/// plane is away, and how far it got is kept on disk, so nothing is lost across restarts of either side.
public final class UsageShipper: Sendable {
    let ingestURL: String
    let token: String
    let database: Database
    let cursorPath: String
    let logger = Logger(label: "usage-shipper")
    static let batchRows = 200
    private let stopped = Atomic<Bool>(false)
    /// Rows acknowledged by the control plane since start.
    public let shipped = Atomic<Int>(0)
    /// The rowid of the last row the control plane acknowledged.
    public let cursor = Atomic<Int64>(0)

    public init(controlPlane: String, token: String, database: Database, cursorPath: String) {
        ingestURL = (controlPlane.hasSuffix("/") ? String(controlPlane.dropLast()) : controlPlane) + "/admin/v1/usage/ingest"
        self.token = token
        self.database = database
        self.cursorPath = cursorPath
        cursor.store(Platform.readTrimmedText(cursorPath).flatMap { Int64($0) } ?? 0, ordering: .relaxed)
    }

    /// Ships every `intervalMillis` on a thread of its own until stopped.
    public func start(intervalMillis: Int = 250) {
        Platform.startThread(name: "usage-shipper") { [self] in
            var cursor = self.cursor.load(ordering: .relaxed)
            var backoffMillis = intervalMillis
            while !stopped.load(ordering: .relaxed) {
                switch shipBatch(after: cursor) {
                case .shipped(let last, let full):
                    cursor = last
                    backoffMillis = intervalMillis
                    if full { continue }
                case .nothing:
                    backoffMillis = intervalMillis
                case .failed:
                    backoffMillis = min(backoffMillis * 2, 5_000)
                }
                usleep(UInt32(backoffMillis) * 1000)
            }
        }
    }

    public func stop() { stopped.store(true, ordering: .relaxed) }

    /// At shutdown, after the request log is flushed: stops the thread and ships what it can within
    /// `timeoutMillis` (what is left goes after the next start).
    public func drain(timeoutMillis: Int) {
        stop()
        let deadline = Timestamp.monotonicNanos() + UInt64(timeoutMillis) * 1_000_000
        var cursor = Platform.readTrimmedText(cursorPath).flatMap { Int64($0) } ?? 0
        while Timestamp.monotonicNanos() < deadline, case .shipped(let last, _) = shipBatch(after: cursor) { cursor = last }
    }

    enum Outcome {
        case shipped(lastRowid: Int64, full: Bool)
        case nothing
        case failed
    }

    /// Ships the rows after `cursor`; on acknowledgement, stores the new cursor durably.
    func shipBatch(after cursor: Int64) -> Outcome {
        let batch: (entries: [RequestLogEntry], lastRowid: Int64)
        do {
            batch = try database.read { try RequestLogRepository($0).rows(afterRowid: cursor, limit: Self.batchRows) }
        } catch {
            logger.error("cannot read the local request log", [("error", "\(error)")])
            return .failed
        }
        guard !batch.entries.isEmpty else { return .nothing }
        let body = JSONWriter.encode(.object([("rows", .array(batch.entries.map(\.json)))]))
        switch BlockingHTTP.send(ingestURL, headers: ["Authorization: Bearer \(token)", "Content-Type: application/json"], body: body,
                                 timeoutMillis: 30_000) {
        case .success(let answer) where answer.status == 200:
            guard Platform.writeFileAtomically(cursorPath, Array(String(batch.lastRowid).utf8)) else {
                logger.error("cannot store how far usage was shipped; the batch will be sent again (counted once)", [("path", cursorPath)])
                return .failed
            }
            shipped.add(batch.entries.count, ordering: .relaxed)
            self.cursor.store(batch.lastRowid, ordering: .relaxed)
            return .shipped(lastRowid: batch.lastRowid, full: batch.entries.count == Self.batchRows)
        case .success(let answer):
            logger.error("the control plane refused shipped usage", [("status", String(answer.status))])
            return .failed
        case .failure(let failure):
            logger.debug("control plane unreachable; usage stays buffered", [("error", failure.description)])
            return .failed
        }
    }
}
