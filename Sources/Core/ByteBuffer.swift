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

    /// Appends `separator`, then `name` in quotes and a colon (`,"name":`), a JSON member's head, with one capacity
    /// check (four appends cost four; a log line has two dozen members).
    public func appendMemberName(_ name: StaticString, separator: UInt8) {
        let length = name.utf8CodeUnitCount
        if count + length + 4 > capacity { grow(toHold: count + length + 4) }
        let at = storage + count
        at.storeBytes(of: separator, as: UInt8.self)
        at.storeBytes(of: UInt8(ascii: "\""), toByteOffset: 1, as: UInt8.self)
        (at + 2).copyMemory(from: name.utf8Start, byteCount: length)
        at.storeBytes(of: UInt8(ascii: "\""), toByteOffset: length + 2, as: UInt8.self)
        at.storeBytes(of: UInt8(ascii: ":"), toByteOffset: length + 3, as: UInt8.self)
        count += length + 4
    }

    /// Calls `body` with the bytes written so far.
    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try body(UnsafeRawBufferPointer(start: storage, count: count))
    }

    private func grow(toHold needed: Int) {
        capacity = max(needed, capacity * 2)
        let larger = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 1)
        larger.copyMemory(from: storage, byteCount: count)
        storage.deallocate()
        storage = larger
    }
}
