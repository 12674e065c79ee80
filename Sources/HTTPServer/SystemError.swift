import Glibc

/// A failed system call: the call's name and errno.
public struct SystemError: Error, Sendable, CustomStringConvertible {
    public let call: String
    public let errno: Int32
    public var description: String { "\(call) failed: \(String(cString: strerror(errno))) (errno \(errno))" }
}

/// The outcome of a non-blocking I/O call.
enum IOResult {
    case done(Int)
    case wouldBlock
}

/// Runs a system call, retrying on EINTR, mapping EAGAIN to `.wouldBlock`, throwing other errors.
@inline(__always)
func systemCall(_ name: String, _ body: () -> Int) throws -> IOResult {
    while true {
        let result = body()
        if result >= 0 { return .done(result) }
        let code = Glibc.errno
        if code == EINTR { continue }
        if code == EAGAIN || code == EWOULDBLOCK { return .wouldBlock }
        throw SystemError(call: name, errno: code)
    }
}
