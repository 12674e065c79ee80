/// Strict UTF-8 validation (RFC 3629: no overlong forms, surrogates or values past U+10FFFF), for bytes
/// that are relayed without being decoded.
public enum UTF8Check {
    /// The length of the valid multi-byte sequence that starts at `index`, or nil when it is not one.
    @inlinable
    public static func sequenceLength(in bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int? {
        let length: Int
        var lower: UInt8 = 0x80, upper: UInt8 = 0xBF
        switch bytes[index] {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; upper = 0x9F
        case 0xF0: length = 4; lower = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; upper = 0x8F
        default: return nil
        }
        guard index + length <= bytes.count, bytes[index + 1] >= lower && bytes[index + 1] <= upper else { return nil }
        for offset in 2..<max(2, length) where bytes[index + offset] < 0x80 || bytes[index + offset] > 0xBF { return nil }
        return length
    }

    /// True when every byte belongs to a valid UTF-8 sequence. ASCII runs are checked 32 bytes, then eight bytes at a
    /// time, and an ASCII tail shorter than eight bytes as the word that ends the buffer (relayed stream events are a
    /// few hundred ASCII bytes: byte-at-a-time tails and 8-byte steps were about 170 instructions an event).
    public static func isValid(_ raw: UnsafeRawBufferPointer) -> Bool {
        guard let base = raw.baseAddress else { return true }
        let bytes = raw.assumingMemoryBound(to: UInt8.self)
        let count = raw.count
        let highBits: UInt64 = 0x8080_8080_8080_8080
        func word(_ offset: Int) -> UInt64 { base.loadUnaligned(fromByteOffset: offset, as: UInt64.self) }
        var index = 0
        while index < count {
            while index + 32 <= count && (word(index) | word(index + 8) | word(index + 16) | word(index + 24)) & highBits == 0 {
                index += 32
            }
            while index + 8 <= count && word(index) & highBits == 0 { index += 8 }
            // Fewer than eight bytes left: the last word covers them (and bytes already checked).
            if count - index < 8 && count >= 8 && word(count - 8) & highBits == 0 { return true }
            guard index < count else { break }
            if bytes[index] < 0x80 {
                index += 1
                continue
            }
            guard let length = sequenceLength(in: bytes, at: index) else { return false }
            index += length
        }
        return true
    }
}
