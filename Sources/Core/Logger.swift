#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Writes one JSON object per line to standard error (`time`, `level`, `logger`, `msg`, then the fields);
/// safe from any thread. The minimum level is process-wide (`--log-level`).
public struct Logger: Sendable {
    /// How important a line is.
    public enum Level: Int, Sendable, Comparable, CaseIterable {
        case debug, info, warning, error
        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
        public var label: String { ["debug", "info", "warn", "error"][rawValue] }

        /// Reads `debug`, `info`, `warn`/`warning` or `error`.
        public init?(label: String) {
            guard let level = Self.allCases.first(where: { $0.label == label || (label == "warning" && $0 == .warning) }) else { return nil }
            self = level
        }
    }

    private static let threshold = Atomic<Int>(Level.info.rawValue)

    /// Sets the lowest level written, for every logger in the process.
    public static func setMinimumLevel(_ level: Level) { threshold.store(level.rawValue, ordering: .relaxed) }

    /// Whether lines at `level` are written.
    public static func isEnabled(_ level: Level) -> Bool { level.rawValue >= threshold.load(ordering: .relaxed) }

    public let label: String

    public init(label: String) {
        self.label = label
    }

    /// Logs `message` with `key: value` fields; never pass secrets here.
    public func log(_ level: Level, _ message: String, _ fields: [(String, String)] = []) {
        guard Self.isEnabled(level) else { return }
        var line = JSONLineWriter(time: Timestamp.iso8601(Timestamp.nowMillis()), level: level, logger: label, message: message)
        for (name, value) in fields { line.field(named: name, value) }
        line.end()
        line.withUnsafeBytes(Self.writeToStandardError)
    }

    /// Writes already formatted lines with as few system calls as possible.
    public static func writeToStandardError(_ buffer: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < buffer.count {
            let n = write(2, buffer.baseAddress! + offset, buffer.count - offset)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            offset += n
        }
    }

    public func debug(_ message: String, _ fields: [(String, String)] = []) { log(.debug, message, fields) }
    public func info(_ message: String, _ fields: [(String, String)] = []) { log(.info, message, fields) }
    public func warning(_ message: String, _ fields: [(String, String)] = []) { log(.warning, message, fields) }
    public func error(_ message: String, _ fields: [(String, String)] = []) { log(.error, message, fields) }
}
