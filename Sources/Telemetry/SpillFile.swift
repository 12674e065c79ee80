import Core
import Glibc

/// The append-only overflow of the request log: when the writer falls behind and its queue is full, rows
/// are appended here (one JSON line each) instead of growing memory, and replayed into SQLite once the
/// writer catches up or at the next start. Not thread-safe: the writer serialises use.
final class SpillFile {
    let path: String
    private var descriptor: Int32 = -1

    init(path: String) { self.path = path }

    deinit { if descriptor >= 0 { close(descriptor) } }

    /// The file a replay is read from; a crash mid-replay leaves it to be replayed again (inserts are idempotent).
    var replayPath: String { path + ".replay" }

    /// Appends one row; false when the disk refuses it.
    func append(_ entry: RequestLogEntry) -> Bool {
        if descriptor < 0 {
            descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { return false }
        }
        var line = JSONWriter.encode(entry.json)
        line.append(UInt8(ascii: "\n"))
        return line.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return false }
                offset += n
            }
            return true
        }
    }

    /// Whether rows are waiting in the file.
    var hasRows: Bool { descriptor >= 0 }

    /// Moves the current file aside for replay (new rows start a fresh file) and returns the path to replay,
    /// or nil when there is nothing to replay.
    func takeForReplay() -> String? {
        if descriptor >= 0 {
            close(descriptor)
            descriptor = -1
            if access(replayPath, F_OK) != 0 { rename(path, replayPath) }
        } else if access(path, F_OK) == 0 && access(replayPath, F_OK) != 0 {
            rename(path, replayPath)  // left by a previous process
        }
        return access(replayPath, F_OK) == 0 ? replayPath : nil
    }

    /// Reads the rows of a replay file in batches of `batchSize`; damaged lines (a torn last write) are skipped.
    static func rows(at path: String, batchSize: Int, _ body: ([RequestLogEntry]) throws -> Void) throws {
        guard let file = fopen(path, "r") else { return }
        defer { fclose(file) }
        var batch: [RequestLogEntry] = []
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0, let line {
            let text = String(cString: line)
            if let value = try? JSONParser.parse(text), let entry = RequestLogEntry(json: value) { batch.append(entry) }
            if batch.count == batchSize {
                try body(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { try body(batch) }
    }
}
