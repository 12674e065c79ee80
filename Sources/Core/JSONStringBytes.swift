/// Finds, eight bytes at a time, the next byte of JSON string text that needs a closer look: the closing quote, a
/// backslash, a control character or a non-ASCII byte. Printable ASCII, nearly every byte of a completion, is
/// passed over a word at a time by the scanner, the parser and the writer alike.
enum JSONStringBytes {
    /// The offset of the first such byte at or after `start`; `bytes.count` when there is none.
    @inline(__always)
    static func firstSpecial(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        var at = start
        let count = bytes.count
        if let base = bytes.baseAddress {
            while at + 8 <= count {
                let mask = specialMask(UInt64(littleEndian: base.loadUnaligned(fromByteOffset: at, as: UInt64.self)))
                // The lowest marked byte is exact (a false mark only ever sits above a true one): jump straight to it.
                if mask != 0 { return at + mask.trailingZeroBitCount >> 3 }
                at += 8
            }
        }
        while at < count {
            let byte = bytes[at]
            if byte == 0x22 || byte == 0x5C || byte < 0x20 || byte >= 0x80 { return at }
            at += 1
        }
        return count
    }

    /// The high bit of each byte of `word` (first byte lowest) that may need a look (SWAR). Borrows in the subtractions
    /// can only mark bytes above a truly marked one, so the lowest mark is always right.
    @inline(__always)
    static func specialMask(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101, highBits: UInt64 = 0x8080_8080_8080_8080
        func zeroBytes(_ value: UInt64) -> UInt64 { (value &- ones) & ~value & highBits }
        let belowSpace = (word &- ones &* 0x20) & ~word & highBits
        return belowSpace | zeroBytes(word ^ (ones &* 0x22)) | zeroBytes(word ^ (ones &* 0x5C)) | (word & highBits)
    }
}
