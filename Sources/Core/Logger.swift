#if canImport(Glibc)
import Glibc
#endif

/// Writes one structured line per event to standard error; safe from any thread.
public struct Logger: Sendable {
    /// How important a line is.
    public enum Level: Int, Sendable, Comparable {
        case debug, info, warning, error
        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
        var label: String { ["debug", "info", "warn", "error"][rawValue] }
    }

    public let label: String
    public let minimum: Level

    public init(label: String, minimum: Level = .info) {
        self.label = label
        self.minimum = minimum
    }

    /// Logs `message` with `key=value` fields; never pass secrets here.
    public func log(_ level: Level, _ message: String, _ fields: [(String, String)] = []) {
        guard level >= minimum else { return }
        var line = "\(Timestamp.iso8601(Timestamp.nowMillis())) \(level.label) \(label): \(message)"
        for (key, value) in fields {
            let quoted = value.contains(" ") || value.isEmpty ? "\"\(value)\"" : value
            line += " \(key)=\(quoted)"
        }
        line += "\n"
        var bytes = Array(line.utf8)
        _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
    }

    public func info(_ message: String, _ fields: [(String, String)] = []) { log(.info, message, fields) }
    public func warning(_ message: String, _ fields: [(String, String)] = []) { log(.warning, message, fields) }
    public func error(_ message: String, _ fields: [(String, String)] = []) { log(.error, message, fields) }
}
