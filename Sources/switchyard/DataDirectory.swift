import Core
import Glibc

/// The data directory and the secrets generated into it on first start (files of mode 0600).
struct DataDirectory {
    let path: String

    init(path: String) throws {
        self.path = path
        try Platform.createDirectories(path, mode: 0o700)
    }

    /// The path of `file` inside the data directory.
    func file(_ name: String) -> String { path + "/" + name }

    /// The secret stored at `path`, generated with `make` and written there (mode 0600) when missing.
    static func secret(at path: String, make: () -> String) throws -> String {
        if Platform.exists(path) {
            guard let value = Platform.readTrimmedText(path) else { throw DataDirectoryError(message: "cannot read \(path)") }
            return value
        }
        let value = make()
        try writePrivate(value + "\n", to: path)
        return value
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
}

struct DataDirectoryError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// Finds a directory the binary ships with (`migrations`, `admin`): the configured one, `./NAME`, or one
/// above the binary (`NAME` or `share/switchyard/NAME`), recognised by a file it must hold.
enum InstalledDirectory {
    case migrations, admin

    var name: String { self == .migrations ? "migrations" : "admin" }
    var marker: String { self == .migrations ? "0001_init.sql" : "openapi.json" }

    func locate(configured: String?) -> String? {
        if let configured { return configured }
        var candidates = [Platform.currentDirectory + "/" + name]
        var directory = Platform.executablePath.map { String($0[..<($0.lastIndex(of: "/") ?? $0.endIndex)]) } ?? "."
        for _ in 0..<6 {
            candidates.append(directory + "/" + name)
            candidates.append(directory + "/share/switchyard/" + name)
            guard let slash = directory.lastIndex(of: "/"), slash > directory.startIndex else { break }
            directory = String(directory[..<slash])
        }
        return candidates.first { Platform.exists($0 + "/" + marker) }
    }
}
