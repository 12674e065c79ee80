import Core
import Testing

/// Checks over raw bytes: the constant-time comparison tokens and signatures go through (it accepts only
/// equal bytes, wherever a difference is), and the UTF-8 validation of relayed stream events.
@Suite struct ByteCheckTests {
    @Test func constantTimeComparisonAcceptsOnlyEqualBytesWhereverTheyDiffer() {
        let token = Array("sy-admin-0123456789abcdef".utf8)
        #expect(Crypto.constantTimeEqual(token, token))
        for index in token.indices {
            var other = token
            other[index] ^= 0x01
            #expect(!Crypto.constantTimeEqual(token, other), "difference at \(index)")
        }
        #expect(!Crypto.constantTimeEqual(token, Array(token.dropLast())))
        #expect(!Crypto.constantTimeEqual(token, token + [0]))
        #expect(Crypto.constantTimeEqual([], []))
    }

    @Test func utf8AndInvalidSequencesAreTold() {
        for valid in ["", "plain ascii", "é", "€", "😀", "\u{10FFFF}"] {
            #expect(Array(valid.utf8).withUnsafeBytes { UTF8Check.isValid($0) }, "\(valid)")
        }
        for invalid: [UInt8] in [[0xFF], [0xC0, 0xAF], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82],
                                 [0x61, 0x80], [0xF0, 0x9F, 0x98]] {
            #expect(!invalid.withUnsafeBytes { UTF8Check.isValid($0) }, "\(invalid)")
        }
    }

    @Test func aByteBufferHoldsWhatAByteArrayHoldsAcrossEveryGrowth() {
        let buffer = ByteBuffer(capacity: 1)
        var sink: ByteBuffer = buffer
        var array: [UInt8] = []
        for round in 0..<200 {
            let text = String(repeating: "é", count: round % 7) + "run \(round)"
            sink.appendUTF8(text)
            array.appendUTF8(text)
            sink.appendDecimal(round * -37)
            array.appendDecimal(round * -37)
            sink.append(UInt8(round % 256))
            array.append(UInt8(round % 256))
            sink.appendUTF8("")
            JSONWriter.writeString("q\"\(round)\n", into: &sink)
            JSONWriter.writeString("q\"\(round)\n", into: &array)
            let names: [StaticString] = ["a", "request_id", "", "a_name_longer_than_the_buffer_grows_by"]
            let separator = round % 2 == 0 ? UInt8(ascii: "{") : UInt8(ascii: ",")
            buffer.appendMemberName(names[round % 4], separator: separator)
            array.append(separator)
            array.appendUTF8("\"\(names[round % 4])\":")
            #expect(buffer.count == array.count)
        }
        #expect(buffer.withUnsafeBytes { Array($0) } == array)
    }

    @Test func decimalsReadFromBytesAreOneToEighteenDigitsOnly() {
        func value(_ text: String) -> Int? { ASCIIDecimal.value(Array(text.utf8)) }
        #expect(value("0") == 0 && value("00042") == 42 && value("999999999999999999") == 999_999_999_999_999_999)
        for refused in ["", "1234567890123456789", "+1", "-1", " 1", "1 ", "1.0", "0x1", "١"] { #expect(value(refused) == nil, "\(refused)") }
    }

    @Test func paddedDecimalsAndFixedWidthHex() {
        func written(_ body: (inout BoundedByteWriter) -> Void) -> String { String(writingAtMost: 40, body) }
        #expect(written { $0.appendDecimal(42, minimumDigits: 5) } == "00042")
        #expect(written { $0.appendDecimal(-7, minimumDigits: 3) } == "-007")
        #expect(written { $0.appendDecimal(123_456, minimumDigits: 2) } == "123456")
        #expect(written { $0.appendDecimal(Int.min) } == String(Int.min))
        #expect(written { $0.appendHex(0xabc, digits: 5) } == "00abc")
        #expect(written { $0.appendHex(0x1234_5678_9abc_def0, digits: 12) } == "56789abcdef0")
        #expect(written { $0.appendHex(.max, digits: 16) } == "ffffffffffffffff")
        #expect(written { $0.appendHex(0x0123_4567_89ab_cdef, digits: 16) } == "0123456789abcdef")
    }

    @Test func byteSearchFindsWhatANaiveSearchFinds() {
        func naive(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
            guard from >= 0, from + needle.count <= haystack.count else { return nil }
            return (from..<(haystack.count - needle.count + 1)).first { Array(haystack[$0..<($0 + needle.count)]) == needle }
        }
        let haystacks = [#"{"id":"x","usage":null}"#, #"{"u":"usage","usage":{"prompt_tokens":1}}"#, #""usage""#, #"usage""#,
                         #"{"usag":1,"usage"#, "", "HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody\r\n\r\n", "\r\n\r", "uuuu\"usage\"uu", "gggg\"usage\"gg\"usag", "\"usage\"\"usage\""]
        for text in haystacks {
            let haystack = Array(text.utf8)
            for from in 0...(haystack.count + 1) {
                haystack.withUnsafeBytes { bytes in
                    for anchor in 0..<7 {
                        #expect(ByteSearch.firstOffset(of: "\"usage\"", anchor: anchor, in: bytes, from: from)
                                    == naive(Array("\"usage\"".utf8), in: haystack, from: from), "\(text) from \(from) anchored at \(anchor)")
                    }
                    #expect(ByteSearch.firstOffset(of: "\r\n\r\n", in: bytes, from: from) == naive([13, 10, 13, 10], in: haystack, from: from),
                            "\(text) from \(from)")
                }
            }
        }
    }

    @Test func byteSearchFindsTheFirstAndLastByteWhereANaiveSearchDoes() {
        let haystack = Array("a\nbc\n\nd".utf8)
        haystack.withUnsafeBytes { bytes in
            for bound in -1...(haystack.count + 1) {
                let first = bound >= 0 ? haystack.indices.first { $0 >= bound && haystack[$0] == 10 } : nil
                let last = bound <= haystack.count ? haystack.indices.last { $0 < bound && haystack[$0] == 10 } : nil
                #expect(ByteSearch.firstOffset(of: 10, in: bytes, from: bound) == first, "from \(bound)")
                #expect(ByteSearch.lastOffset(of: 10, in: bytes, before: bound) == last, "before \(bound)")
            }
        }
        #expect([UInt8]().withUnsafeBytes { ByteSearch.lastOffset(of: 10, in: $0, before: 0) } == nil)
    }

    @Test func theWordAtATimeASCIIPathMissesNoSequenceWhereverItFalls() {
        let filler = { (count: Int) in [UInt8](repeating: UInt8(ascii: "a"), count: count) }
        for prefix in 0...70 {
            for suffix in [0, 1, 5, 7, 8, 11, 33] {
                for valid in ["é", "€", "😀"] {
                    let bytes = filler(prefix) + Array(valid.utf8) + filler(suffix)
                    #expect(bytes.withUnsafeBytes { UTF8Check.isValid($0) }, "\(valid) after \(prefix)")
                }
                for invalid: [UInt8] in [[0xFF], [0x80], [0xC3], [0xED, 0xA0, 0x80], [0xF0, 0x9F, 0x98]] {
                    let bytes = filler(prefix) + invalid + filler(suffix)
                    #expect(!bytes.withUnsafeBytes { UTF8Check.isValid($0) }, "\(invalid) after \(prefix)")
                }
            }
        }
    }
}
