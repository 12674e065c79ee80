/// Bytes waiting to be written to a socket, kept as whole buffers to avoid copying.
struct WriteQueue {
    private var buffers: [[UInt8]] = []
    private var headIndex = 0
    private var headOffset = 0
    /// Bytes queued and not yet written.
    private(set) var byteCount = 0

    var isEmpty: Bool { byteCount == 0 }

    mutating func append(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        buffers.append(bytes)
        byteCount += bytes.count
    }

    /// Writes as much as the socket takes; returns the number of bytes written.
    mutating func flush(to fd: Int32) throws -> Int {
        var written = 0
        while headIndex < buffers.count {
            let result = try buffers[headIndex].withUnsafeBytes { raw in
                try systemCall("write") {
                    Glibc.send(fd, raw.baseAddress! + headOffset, raw.count - headOffset, Int32(MSG_NOSIGNAL))
                }
            }
            guard case .done(let n) = result else { break }
            written += n
            byteCount -= n
            headOffset += n
            if headOffset == buffers[headIndex].count {
                headIndex += 1
                headOffset = 0
            }
        }
        if headIndex == buffers.count {
            buffers.removeAll(keepingCapacity: true)
            headIndex = 0
        } else if headIndex > 32 {
            buffers.removeFirst(headIndex)
            headIndex = 0
        }
        return written
    }
}

import Glibc
