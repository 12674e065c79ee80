/// Somewhere bytes are appended on hot paths: a byte array, or a `ByteBuffer`. Text goes in as whole UTF-8 runs
/// instead of a generic element-by-element append through `String.UTF8View`, and integers as digits without a
/// `String`.
public protocol ByteSink {
    mutating func append(_ byte: UInt8)
    /// Appends a run of bytes.
    mutating func appendBytes(_ bytes: UnsafeRawBufferPointer)
}

extension Array: ByteSink where Element == UInt8 {
    /// Typed as bytes first: an `Array` appends a typed buffer with one copy, a raw buffer through the generic sequence
    /// path (about 110 instructions a relayed stream event).
    @inlinable public mutating func appendBytes(_ bytes: UnsafeRawBufferPointer) {
        append(contentsOf: bytes.assumingMemoryBound(to: UInt8.self))
    }
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

    /// Appends `value` in decimal, without building a string: at least `minimumDigits` digits (at most 20),
    /// zero-padded on the left.
    @inlinable public mutating func appendDecimal(_ value: Int, minimumDigits: Int = 1) {
        precondition(minimumDigits <= 20)
        if value < 0 { append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = digits.count
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0 || digits.count - start < minimumDigits
            appendBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: digits[start...])))
        }
    }

    /// Appends the low `digits` hexadecimal digits of `value` (lowercase, zero-padded; at most 16).
    @inlinable public mutating func appendHex(_ value: UInt64, digits: Int) {
        precondition(digits > 0 && digits <= 16)
        // Written last digit first into a scratch buffer, then appended in one run.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16) { buffer in
            var rest = value
            var index = digits
            while index > 0 {
                index -= 1
                let digit = UInt8(truncatingIfNeeded: rest) & 0xF
                buffer[index] = digit &+ (digit < 10 ? UInt8(ascii: "0") : UInt8(ascii: "a") &- 10)
                rest >>= 4
            }
            appendBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: buffer[0..<digits])))
        }
    }
}
