import CLinux
import COpenSSL
import Glibc

/// The few operating-system services the binary needs, straight from libc, so it does not load
/// Foundation (about 9 MB of resident libraries).
public enum Platform {
    /// The value of environment variable `name`.
    public static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }

    /// Every environment variable.
    public static var environment: [String: String] {
        var result: [String: String] = [:]
        var cursor = environ
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            cursor += 1
        }
        return result
    }

    /// The whole contents of the file at `path`, or nil when it cannot be read.
    public static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { return result }
            result.append(contentsOf: chunk[0..<count])
        }
    }

    /// Replaces the file at `path` with `bytes` (mode 0600) so a crash leaves the old file or the new one,
    /// never a mix: written beside it, synced, then renamed over it. False when any step fails.
    @discardableResult
    public static func writeFileAtomically(_ path: String, _ bytes: [UInt8]) -> Bool {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return false }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            written += count
        }
        let synced = written == bytes.count && fsync(fd) == 0
        close(fd)
        guard synced, rename(temporary, path) == 0 else {
            unlink(temporary)
            return false
        }
        return true
    }

    /// The text of a small file with surrounding whitespace removed (tokens, keys, references).
    public static func readTrimmedText(_ path: String) -> String? {
        readFile(path).map { trimmed(String(decoding: $0, as: UTF8.self)) }
    }

    /// True when something exists at `path`.
    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Hands freed heap memory back to the system, after a burst that needed much of it.
    public static func releaseFreeMemory() { clinux_release_free_memory() }

    /// Lets any thread waiting for this CPU run first (`sched_yield`); returns at once when none is.
    public static func yieldProcessor() { _ = sched_yield() }

    /// The names in a directory (without `.` and `..`).
    public static func listDirectory(_ path: String) throws(PlatformError) -> [String] {
        guard let directory = opendir(path) else { throw PlatformError(call: "opendir \(path)", errno: errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Creates `path` and any missing parents with `mode`.
    public static func createDirectories(_ path: String, mode: mode_t) throws(PlatformError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            if mkdir(prefix, mode) != 0 && errno != EEXIST { throw PlatformError(call: "mkdir \(prefix)", errno: errno) }
            prefix += "/"
        }
    }

    /// The current working directory.
    public static var currentDirectory: String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The running executable's resolved path.
    public static var executablePath: String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, Int(PATH_MAX))
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Writes `text` to standard error unbuffered.
    public static func printError(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
    }

    /// Writes `text` to standard output unbuffered, so a parent reading a pipe sees it at once.
    public static func printOutput(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { write(1, $0.baseAddress, $0.count) }
    }

    /// `text` without leading and trailing whitespace.
    public static func trimmed(_ text: String) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" }
        guard let first = text.firstIndex(where: { !isSpace($0) }), let last = text.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(text[first...last])
    }

    /// Parks the calling (main) thread for good; the process runs on its other threads and ends with `exit`.
    /// Used instead of `dispatchMain()`, whose `pthread_exit` and `sigsuspend` on the main thread make valgrind
    /// abort, so that `valgrind --tool=callgrind` can profile the gateway. Signal sources run on their own queues and keep
    /// working (the graceful-shutdown tests send SIGTERM).
    public static func parkMainThread() -> Never {
        while true { pause() }
    }

    /// Starts a detached thread running `body`, named `name` (top -H, perf and /proc show its first 15 bytes).
    public static func startThread(name: String, _ body: @escaping @Sendable () -> Void) {
        final class Box: @unchecked Sendable {
            // Safety: written once before the thread starts, read once by it.
            let body: @Sendable () -> Void
            let name: String
            init(_ body: @escaping @Sendable () -> Void, name: String) {
                self.body = body
                self.name = name
            }
        }
        let box = Unmanaged.passRetained(Box(body, name: name)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { context in
            let box = Unmanaged<Box>.fromOpaque(context!).takeRetainedValue()
            _ = clinux_set_thread_name(box.name)
            box.body()
            return nil
        }, box)
        precondition(rc == 0, "pthread_create failed: \(rc)")
        pthread_detach(thread)
    }
}

/// A failed operating-system call.
public struct PlatformError: Error, Sendable, CustomStringConvertible {
    public let call: String
    public let errno: Int32
    public var description: String { "\(call): \(String(cString: strerror(errno)))" }
}

/// Standard base64 (RFC 4648) through OpenSSL.
public enum Base64 {
    public static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8](repeating: 0, count: (bytes.count + 2) / 3 * 4 + 1)
        let count = EVP_EncodeBlock(&out, bytes, Int32(bytes.count))
        return String(decoding: out[0..<Int(count)], as: UTF8.self)
    }

    /// The decoded bytes, or nil for malformed input.
    public static func decode(_ text: String) -> [UInt8]? {
        let input = Array(text.utf8)
        guard !input.isEmpty, input.count % 4 == 0 else { return nil }
        var out = [UInt8](repeating: 0, count: input.count / 4 * 3)
        let count = EVP_DecodeBlock(&out, input, Int32(input.count))
        guard count >= 0 else { return nil }
        let padding = input.reversed().prefix(2).filter { $0 == UInt8(ascii: "=") }.count
        return Array(out[0..<(Int(count) - padding)])
    }
}

/// Substring search in raw bytes, for hot paths: libc's vectorised `memchr` finds candidates for one byte of the
/// needle (the caller names one that is rare where it searches), and each is checked whole. glibc's `memmem` took
/// about three instructions a byte here, a tenth of a relayed stream's.
public enum ByteSearch {
    /// The offset of the first `needle` at or after `from` in `bytes`, if any; `anchor` is the offset in `needle` of the
    /// byte `memchr` looks for (the `g` of `"usage"`: stream chunks are full of `u`s, in `chunk` and `content`, and
    /// each false candidate cost a `memchr` and a `memcmp` more).
    @inlinable
    public static func firstOffset(of needle: StaticString, anchor: Int = 0, in bytes: UnsafeRawBufferPointer, from: Int = 0) -> Int? {
        let length = needle.utf8CodeUnitCount
        guard let base = bytes.baseAddress, from >= 0, length > 0, from + length <= bytes.count else { return nil }
        precondition(anchor >= 0 && anchor < length, "the anchor lies in the needle")
        let pattern = UnsafeBufferPointer(start: needle.utf8Start, count: length)
        var start = from  // where the next candidate match may begin
        while start + length <= bytes.count {
            let searchFrom = start + anchor
            let searchEnd = bytes.count - (length - 1 - anchor)
            guard let hit = memchr(base + searchFrom, Int32(pattern[anchor]), searchEnd - searchFrom) else { return nil }
            let candidate = base.distance(to: UnsafeRawPointer(hit)) - anchor
            if memcmp(base + candidate, pattern.baseAddress!, length) == 0 { return candidate }
            start = candidate + 1
        }
        return nil
    }

    /// The offset of the last `byte` before `end` in `bytes`, if any (`memrchr`).
    @inlinable
    public static func lastOffset(of byte: UInt8, in bytes: UnsafeRawBufferPointer, before end: Int) -> Int? {
        guard let base = bytes.baseAddress, end > 0, end <= bytes.count, let hit = clinux_memrchr(base, Int32(byte), end) else { return nil }
        return base.distance(to: UnsafeRawPointer(hit))
    }

    /// The offset of the first `byte` at or after `from` in `bytes`, if any (`memchr`).
    @inlinable
    public static func firstOffset(of byte: UInt8, in bytes: UnsafeRawBufferPointer, from: Int) -> Int? {
        guard let base = bytes.baseAddress, from >= 0, from < bytes.count, let hit = memchr(base + from, Int32(byte), bytes.count - from) else { return nil }
        return base.distance(to: UnsafeRawPointer(hit))
    }
}
