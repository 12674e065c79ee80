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
        let next = counter.add(1, ordering: .relaxed).newValue
        // Written into one buffer: the prefix, `_`, the process prefix, then 12 hex digits of the counter.
        return String(writingAtMost: prefix.utf8.count + 1 + processPrefix.utf8.count + 12) { out in
            out.appendUTF8(prefix)
            out.append(UInt8(ascii: "_"))
            out.appendUTF8(processPrefix)
            out.appendHex(next, digits: 12)
        }
    }
}

/// AES-256-GCM sealing for secrets at rest: a random 12-byte nonce per value, the 16-byte tag appended,
/// and associated data (the secret's name) bound in, so a value cannot be moved to another name.
public enum SecretBox {
    public struct OpenError: Error, Sendable {}

    /// `nonce ‖ ciphertext ‖ tag` for `plaintext` under the 32-byte `key`.
    public static func seal(_ plaintext: [UInt8], key: [UInt8], associatedData: [UInt8]) -> [UInt8] {
        precondition(key.count == 32, "AES-256 needs a 32-byte key")
        let nonce = Crypto.randomBytes(12)
        guard let context = EVP_CIPHER_CTX_new() else { fatalError("OpenSSL could not allocate a cipher context") }
        defer { EVP_CIPHER_CTX_free(context) }
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count + 16)
        var length: Int32 = 0
        var total = 0
        var tag = [UInt8](repeating: 0, count: 16)
        let ok = EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce) == 1
            && (associatedData.isEmpty || EVP_EncryptUpdate(context, nil, &length, associatedData, Int32(associatedData.count)) == 1)
            && ciphertext.withUnsafeMutableBufferPointer { out in
                EVP_EncryptUpdate(context, out.baseAddress, &length, plaintext, Int32(plaintext.count)) == 1
            }
        total = Int(length)
        let finished = ok && ciphertext.withUnsafeMutableBufferPointer { out in
            EVP_EncryptFinal_ex(context, out.baseAddress! + total, &length) == 1
        } && EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, 16, &tag) == 1
        precondition(finished, "AES-256-GCM encryption failed")
        total += Int(length)
        return nonce + ciphertext.prefix(total) + tag
    }

    /// The plaintext of a sealed value; throws when the key, the associated data or the bytes are wrong.
    public static func open(_ sealed: [UInt8], key: [UInt8], associatedData: [UInt8]) throws(OpenError) -> [UInt8] {
        guard key.count == 32, sealed.count >= 28 else { throw OpenError() }
        let nonce = Array(sealed.prefix(12))
        let ciphertext = Array(sealed.dropFirst(12).dropLast(16))
        var tag = Array(sealed.suffix(16))
        guard let context = EVP_CIPHER_CTX_new() else { throw OpenError() }
        defer { EVP_CIPHER_CTX_free(context) }
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count + 16)
        var length: Int32 = 0
        guard EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, key, nonce) == 1,
              associatedData.isEmpty || EVP_DecryptUpdate(context, nil, &length, associatedData, Int32(associatedData.count)) == 1,
              plaintext.withUnsafeMutableBufferPointer({ EVP_DecryptUpdate(context, $0.baseAddress, &length, ciphertext, Int32(ciphertext.count)) }) == 1
        else { throw OpenError() }
        let total = Int(length)
        guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, 16, &tag) == 1,
              plaintext.withUnsafeMutableBufferPointer({ EVP_DecryptFinal_ex(context, $0.baseAddress! + total, &length) }) == 1
        else { throw OpenError() }
        return Array(plaintext.prefix(total + Int(length)))
    }
}
