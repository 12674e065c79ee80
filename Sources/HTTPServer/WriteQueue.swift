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

    /// Writes as much as the socket takes, up to 64 buffers per `writev`; returns the number of bytes written.
    mutating func flush(to fd: Int32) throws -> Int {
        var written = 0
        while headIndex < buffers.count {
            let batch = min(64, buffers.count - headIndex)
            let result = try withIOVectors(count: batch) { vectors in
                try systemCall("writev") { Glibc.writev(fd, vectors.baseAddress, Int32(vectors.count)) }
            }
            guard case .done(var n) = result else { break }
            written += n
            byteCount -= n
            while n > 0 {
                let remaining = buffers[headIndex].count - headOffset
                if n >= remaining {
                    n -= remaining
                    headIndex += 1
                    headOffset = 0
                } else {
                    headOffset += n
                    n = 0
                }
            }
            if headIndex < buffers.count { break }  // the socket took less than offered: wait for EPOLLOUT
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

    /// Calls `body` with iovecs over the first `count` pending buffers (the first starting at `headOffset`).
    private func withIOVectors<T>(count: Int, _ body: (UnsafeMutableBufferPointer<iovec>) throws -> T) rethrows -> T {
        try withUnsafeTemporaryAllocation(of: iovec.self, capacity: count) { vectors in
            // The buffers stay alive and unmoved for the duration: `self.buffers` is not mutated inside.
            func fill(_ index: Int) throws -> T {
                if index == count { return try body(vectors) }
                return try buffers[headIndex + index].withUnsafeBytes { raw in
                    let offset = index == 0 ? headOffset : 0
                    vectors[index] = iovec(iov_base: UnsafeMutableRawPointer(mutating: raw.baseAddress! + offset), iov_len: raw.count - offset)
                    return try fill(index + 1)
                }
            }
            return try fill(0)
        }
    }
}

import Glibc
