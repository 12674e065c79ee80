/// Appending text to byte buffers on hot paths: whole UTF-8 runs copied at once instead of a generic
/// element-by-element append through `String.UTF8View`, and integers written as digits without a `String`.
extension Array where Element == UInt8 {
    /// Appends `text`'s UTF-8 bytes.
    @inlinable public mutating func appendUTF8(_ text: String) {
        // Native and small strings lend their bytes in place; only a bridged one (never here) walks them.
        if text.utf8.withContiguousStorageIfAvailable({ append(contentsOf: $0) }) == nil { append(contentsOf: text.utf8) }
    }

    /// Appends a literal's UTF-8 bytes.
    @inlinable public mutating func appendUTF8(_ literal: StaticString) {
        append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// Appends `value` in decimal, without building a string.
    public mutating func appendDecimal(_ value: Int) {
        if value < 0 { append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = digits.count
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }
}
