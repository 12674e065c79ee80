import Core
import Foundation
import Glibc

/// The data directory and the secrets generated into it on first start (files of mode 0600).
struct DataDirectory {
    let path: String

    init(path: String) throws {
        self.path = path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    /// The contents of `file` in the data directory, generated with `make` when missing.
    func secret(_ file: String, make: () -> String) throws -> (value: String, path: String, generated: Bool) {
        let full = path + "/" + file
        if let data = FileManager.default.contents(atPath: full) {
            return (String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines), full, false)
        }
        let value = make()
        try Self.writePrivate(value + "\n", to: full)
        return (value, full, true)
    }

    /// Writes a file readable only by its owner, durably.
    static func writePrivate(_ text: String, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw DataDirectoryError(message: "cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count, fsync(fd) == 0 else {
            throw DataDirectoryError(message: "cannot write \(path)")
        }
    }

    /// Reads a secret from a file given on the command line.
    static func read(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw DataDirectoryError(message: "cannot read \(path)") }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

struct DataDirectoryError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// Finds the migrations directory: the configured one, `./migrations`, or one above the binary.
enum MigrationsLocator {
    static func locate(configured: String?) -> String? {
        if let configured { return configured }
        var candidates = [FileManager.default.currentDirectoryPath + "/migrations"]
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            candidates.append(directory.path + "/migrations")
            candidates.append(directory.path + "/share/switchyard/migrations")
            directory = directory.deletingLastPathComponent()
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/0001_init.sql") }
    }
}

/// Prints a line to standard output unbuffered, so a parent process reading a pipe sees it at once.
func announce(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
}
