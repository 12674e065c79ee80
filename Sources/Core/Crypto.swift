import COpenSSL
import Synchronization

/// Digests and randomness from OpenSSL.
public enum Crypto {
    /// SHA-256 of `data`.
    public static func sha256<Bytes: Collection<UInt8>>(_ data: Bytes) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        let input = Array(data)
        var length: UInt32 = 0
        input.withUnsafeBytes { raw in
            _ = EVP_Digest(raw.baseAddress, raw.count, &digest, &length, EVP_sha256(), nil)
        }
        return digest
    }

    /// HMAC-SHA256 of `data` under `key`.
    public static func hmacSHA256(key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        key.withUnsafeBytes { keyBytes in
            data.withUnsafeBytes { dataBytes in
                _ = HMAC(EVP_sha256(), keyBytes.baseAddress, Int32(keyBytes.count), dataBytes.baseAddress?.assumingMemoryBound(to: UInt8.self),
                         dataBytes.count, &digest, &length)
            }
        }
        return digest
    }

    /// Lower-case hex SHA-256 of `data`.
    public static func sha256Hex<Bytes: Collection<UInt8>>(_ data: Bytes) -> String { hex(sha256(data)) }

    /// `count` cryptographically secure random bytes.
    public static func randomBytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let ok = RAND_bytes(&bytes, Int32(count))
        precondition(ok == 1, "OpenSSL RAND_bytes failed")
        return bytes
    }

    /// Lower-case hex of `bytes`.
    public static func hex<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Compares two byte strings in time independent of where they differ.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<a.count { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}

/// Random identifiers with a readable type prefix (`prv_3f9a…`).
public enum Identifier {
    /// A new id: `prefix_` followed by 24 hex digits (96 random bits).
    public static func make(_ prefix: String) -> String { prefix + "_" + Crypto.hex(Crypto.randomBytes(12)) }

    private static let processPrefix = Crypto.hex(Crypto.randomBytes(6))
    private static let counter = Atomic<UInt64>(0)

    /// A unique, cheap id for high-rate events such as requests: a random per-process prefix and a counter.
    /// Unique, not secret: never use it where guessing matters.
    public static func sequential(_ prefix: String) -> String {
        var next = counter.add(1, ordering: .relaxed).newValue
        // Written into one buffer: the prefix, `_`, the process prefix, then 12 hex digits of the counter.
        let head = prefix.utf8.count + 1 + processPrefix.utf8.count
        return String(unsafeUninitializedCapacity: head + 12) { buffer in
            var index = 0
            for byte in prefix.utf8 { buffer[index] = byte; index += 1 }
            buffer[index] = UInt8(ascii: "_")
            index += 1
            for byte in processPrefix.utf8 { buffer[index] = byte; index += 1 }
            for position in stride(from: head + 11, through: head, by: -1) {
                let digit = UInt8(next & 15)
                buffer[position] = digit < 10 ? 48 + digit : 87 + digit
                next >>= 4
            }
            return head + 12
        }
    }
}
