/// Bytes written in place into memory sized beforehand: an append is a bounds check and a copy. Writing past
/// the size stops the process (a wrong bound is a bug, never a reason to write out of bounds).
public struct BoundedByteWriter: ByteSink {
    @usableFromInline let base: UnsafeMutableRawPointer
    @usableFromInline let capacity: Int
    @usableFromInline var written = 0
    /// Bytes written so far.
    public var count: Int { written }

    @inlinable init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        base = UnsafeMutableRawPointer(buffer.baseAddress!)
        capacity = buffer.count
    }

    @inlinable public mutating func append(_ byte: UInt8) {
        precondition(written < capacity, "BoundedByteWriter: bound exceeded")
        base.storeBytes(of: byte, toByteOffset: written, as: UInt8.self)
        written += 1
    }

    @inlinable public mutating func appendBytes(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        precondition(bytes.count <= capacity - written, "BoundedByteWriter: bound exceeded")
        (base + written).copyMemory(from: source, byteCount: bytes.count)
        written += bytes.count
    }
}

extension Array where Element == UInt8 {
    /// An array written by `body`, which appends at most `bound` bytes: one allocation and raw copies, where
    /// appending to a growing array costs its generic sequence code on every call (message heads are a dozen
    /// appends of a few bytes each).
    @inlinable public init(writingAtMost bound: Int, _ body: (inout BoundedByteWriter) -> Void) {
        self.init(unsafeUninitializedCapacity: Swift.max(bound, 1)) { buffer, initialized in
            var writer = BoundedByteWriter(buffer)
            body(&writer)
            initialized = writer.count
        }
    }
}

extension String {
    /// A string written by `body` as UTF-8, at most `bound` bytes: one allocation and raw copies.
    @inlinable public init(writingAtMost bound: Int, _ body: (inout BoundedByteWriter) -> Void) {
        self.init(unsafeUninitializedCapacity: Swift.max(bound, 1)) { buffer in
            var writer = BoundedByteWriter(buffer)
            body(&writer)
            return writer.count
        }
    }
}
