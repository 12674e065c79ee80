import Core
import Glibc

/// The data directory and the secrets generated into it on first start (files of mode 0600).
struct DataDirectory {
    let path: String

    init(path: String) throws {
        self.path = path
        try Platform.createDirectories(path, mode: 0o700)
    }

    /// The contents of `file` in the data directory, generated with `make` when missing.
    func secret(_ file: String, make: () -> String) throws -> (value: String, path: String, generated: Bool) {
        let full = path + "/" + file
        if let value = Platform.readTrimmedText(full) { return (value, full, false) }
        let value = make()
        try Self.writePrivate(value + "\n", to: full)
        return (value, full, true)
    }

    /// Writes a new file readable only by its owner, durably.
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
        guard let value = Platform.readTrimmedText(path) else { throw DataDirectoryError(message: "cannot read \(path)") }
        return value
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
        var candidates = [Platform.currentDirectory + "/migrations"]
        var directory = Platform.executablePath.map { String($0[..<($0.lastIndex(of: "/") ?? $0.endIndex)]) } ?? "."
        for _ in 0..<6 {
            candidates.append(directory + "/migrations")
            candidates.append(directory + "/share/switchyard/migrations")
            guard let slash = directory.lastIndex(of: "/"), slash > directory.startIndex else { break }
            directory = String(directory[..<slash])
        }
        return candidates.first { Platform.exists($0 + "/0001_init.sql") }
    }
}
