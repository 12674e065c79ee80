/// Somewhere bytes are appended on hot paths: a byte array, or a `ByteBuffer`. Text goes in as whole UTF-8 runs
/// instead of a generic element-by-element append through `String.UTF8View`, and integers as digits without a
/// `String`.
public protocol ByteSink {
    mutating func append(_ byte: UInt8)
    /// Appends a run of bytes.
    mutating func appendBytes(_ bytes: UnsafeRawBufferPointer)
}

extension Array: ByteSink where Element == UInt8 {
    @inlinable public mutating func appendBytes(_ bytes: UnsafeRawBufferPointer) { append(contentsOf: bytes) }
}

extension ByteSink {
    /// Appends `text`'s UTF-8 bytes.
    @inlinable public mutating func appendUTF8(_ text: String) {
        // Native and small strings lend their bytes in place; only a bridged one (never here) is copied first.
        if text.utf8.withContiguousStorageIfAvailable({ appendBytes(UnsafeRawBufferPointer($0)) }) == nil {
            var copy = text
            copy.withUTF8 { appendBytes(UnsafeRawBufferPointer($0)) }
        }
    }

    /// Appends a literal's UTF-8 bytes.
    @inlinable public mutating func appendUTF8(_ literal: StaticString) {
        appendBytes(UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// Appends `value` in decimal, without building a string.
    @inlinable public mutating func appendDecimal(_ value: Int) {
        if value < 0 { append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = digits.count
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            appendBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: digits[start...])))
        }
    }
}

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

/// A growable byte buffer written through a raw pointer: an append is a capacity check and a copy, where a byte
/// array's goes through its generic sequence code (about 90 instructions a call). For text built at high rates:
/// the per-request log lines.
public final class ByteBuffer: ByteSink {
    private var storage: UnsafeMutableRawPointer
    private var capacity: Int
    /// Bytes written so far.
    public private(set) var count = 0

    public init(capacity: Int = 256) {
        self.capacity = max(capacity, 16)
        storage = .allocate(byteCount: self.capacity, alignment: 1)
    }

    deinit { storage.deallocate() }

    public func append(_ byte: UInt8) {
        if count == capacity { grow(toHold: count + 1) }
        storage.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    public func appendBytes(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        if count + bytes.count > capacity { grow(toHold: count + bytes.count) }
        (storage + count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }

    /// Calls `body` with the bytes written so far.
    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try body(UnsafeRawBufferPointer(start: storage, count: count))
    }

    /// The bytes written so far, copied out.
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    private func grow(toHold needed: Int) {
        let larger = UnsafeMutableRawPointer.allocate(byteCount: max(needed, capacity * 2), alignment: 1)
        larger.copyMemory(from: storage, byteCount: count)
        storage.deallocate()
        storage = larger
        capacity = max(needed, capacity * 2)
    }
}
