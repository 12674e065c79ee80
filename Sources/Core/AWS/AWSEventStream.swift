/// AWS's binary event-stream framing (`application/vnd.amazon.eventstream`, Bedrock's ConverseStream):
/// each message is a 12-byte prelude (total length, headers length, CRC32 of both), typed headers, the
/// payload and a CRC32 of everything before it.
public enum AWSEventStream {
    /// One decoded message: its string headers (`:event-type`, `:message-type`, ...) and payload.
    public struct Message: Sendable, Equatable {
        public var headers: [String: String]
        public var payload: [UInt8]
        public init(headers: [String: String], payload: [UInt8]) {
            self.headers = headers
            self.payload = payload
        }
    }

    /// Why bytes are not a valid event stream.
    public enum FramingError: Error, Equatable {
        case badLength, preludeChecksum, messageChecksum, badHeader, tooLarge
    }

    /// The largest message accepted (AWS caps messages at 16 MiB of payload).
    public static let maxMessageBytes = 16 * 1024 * 1024 + 128 * 1024

    /// Frames `payload` with string `headers` (header type 7), as the service does.
    public static func encode(headers: [(String, String)], payload: [UInt8]) -> [UInt8] {
        var headerBytes: [UInt8] = []
        for (name, value) in headers {
            headerBytes.append(UInt8(name.utf8.count))
            headerBytes += name.utf8
            headerBytes.append(7)
            headerBytes += bigEndian(UInt16(value.utf8.count))
            headerBytes += value.utf8
        }
        let total = 12 + headerBytes.count + payload.count + 4
        var message = bigEndian(UInt32(total)) + bigEndian(UInt32(headerBytes.count))
        message += bigEndian(CRC32.checksum(message))
        message += headerBytes
        message += payload
        message += bigEndian(CRC32.checksum(message))
        return message
    }

    /// Splits a byte stream arriving in arbitrary pieces into messages, checking both checksums.
    public struct Decoder: Sendable {
        private var pending: [UInt8] = []

        public init() {}

        /// True when the stream stopped inside a message.
        public var hasPartialMessage: Bool { !pending.isEmpty }

        public mutating func feed(_ bytes: UnsafeRawBufferPointer) throws(FramingError) -> [Message] {
            pending.append(contentsOf: bytes)
            var messages: [Message] = []
            var offset = 0
            while pending.count - offset >= 12 {
                let total = Int(readUInt32(pending, offset))
                let headersLength = Int(readUInt32(pending, offset + 4))
                guard total >= 16 + headersLength else { throw .badLength }
                guard total <= maxMessageBytes else { throw .tooLarge }
                guard readUInt32(pending, offset + 8) == CRC32.checksum(pending[offset..<offset + 8]) else { throw .preludeChecksum }
                guard pending.count - offset >= total else { break }
                let end = offset + total
                guard readUInt32(pending, end - 4) == CRC32.checksum(pending[offset..<end - 4]) else { throw .messageChecksum }
                let headers = try Self.headers(pending[offset + 12..<offset + 12 + headersLength])
                messages.append(Message(headers: headers, payload: Array(pending[offset + 12 + headersLength..<end - 4])))
                offset = end
            }
            if offset > 0 { pending.removeFirst(offset) }
            return messages
        }

        /// Reads the typed headers, keeping string values (type 7) and skipping the other types by their sizes.
        static func headers(_ bytes: ArraySlice<UInt8>) throws(FramingError) -> [String: String] {
            var headers: [String: String] = [:]
            var index = bytes.startIndex
            func need(_ count: Int) throws(FramingError) { if bytes.endIndex - index < count { throw .badHeader } }
            while index < bytes.endIndex {
                try need(1)
                let nameLength = Int(bytes[index])
                index += 1
                try need(nameLength + 1)
                let name = String(decoding: bytes[index..<index + nameLength], as: UTF8.self)
                index += nameLength
                let type = bytes[index]
                index += 1
                switch type {
                case 0, 1: continue  // boolean true / false: no value bytes
                case 2: try need(1); index += 1
                case 3: try need(2); index += 2
                case 4: try need(4); index += 4
                case 5, 8: try need(8); index += 8
                case 9: try need(16); index += 16
                case 6, 7:
                    try need(2)
                    let length = Int(bytes[index]) << 8 | Int(bytes[index + 1])
                    index += 2
                    try need(length)
                    if type == 7 { headers[name] = String(decoding: bytes[index..<index + length], as: UTF8.self) }
                    index += length
                default:
                    throw .badHeader
                }
            }
            return headers
        }
    }

    static func readUInt32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] { [UInt8(value >> 24), UInt8(value >> 16 & 255), UInt8(value >> 8 & 255), UInt8(value & 255)] }
    static func bigEndian(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 255)] }
}

/// CRC-32 (IEEE 802.3, the zlib polynomial), as the event-stream framing uses.
public enum CRC32 {
    static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    public static func checksum<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 255)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}
