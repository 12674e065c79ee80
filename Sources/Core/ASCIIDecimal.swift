/// Unsigned decimal numbers read from raw bytes (a Content-Length, a token count), without a `String`.
public enum ASCIIDecimal {
    /// One to 18 ASCII digits as a number (no sign, no spaces, so no overflow); nil for anything else.
    @inlinable
    public static func value<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }
}
