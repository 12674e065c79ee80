@testable import Core
import Testing

/// SigV4 against AWS's published test suite vectors, and the event-stream framing both ways.
@Suite struct AWSSigV4Tests {
    let signer = AWSSigV4(credentials: .init(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                          region: "us-east-1", service: "service")
    let emptyHash = Crypto.sha256Hex([UInt8]())

    @Test func getVanilla() {
        let signature = signer.sign(method: "GET", path: "/", query: "", headers: [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")],
                                    payloadHash: emptyHash, amzDate: "20150830T123600Z")
        #expect(signature.signedHeaders == "host;x-amz-date")
        #expect(signature.value == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    }

    @Test func queryParametersAreSortedByName() {
        let signature = signer.sign(method: "GET", path: "/", query: "Param2=value2&Param1=value1",
                                    headers: [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")],
                                    payloadHash: emptyHash, amzDate: "20150830T123600Z")
        #expect(signature.value == "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500")
    }

    @Test func pathSegmentsAreEncodedAgain() {
        // A Bedrock model ARN travels percent-encoded in the path; the canonical path encodes it once more.
        #expect(AWSSigV4.canonicalPath("/model/arn%3Aaws%3Abedrock/converse") == "/model/arn%253Aaws%253Abedrock/converse")
    }

    @Test func headersCarryDateHashTokenAndAuthorization() {
        let temporary = AWSSigV4(credentials: .init(accessKeyID: "AKID", secretAccessKey: "secret", sessionToken: "token"),
                                 region: "eu-west-1", service: "bedrock")
        let headers = temporary.signatureHeaders(method: "POST", path: "/model/m/converse", query: "",
                                                 headers: [("host", "bedrock-runtime.eu-west-1.amazonaws.com")], body: Array("{}".utf8),
                                                 amzDate: "20261122T010203Z")
        let names = headers.map(\.0)
        #expect(names == ["x-amz-date", "x-amz-content-sha256", "x-amz-security-token", "authorization"])
        let authorization = headers.last!.1
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKID/20261122/eu-west-1/bedrock/aws4_request, "
                                        + "SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature="))
        #expect(!authorization.contains("secret"))
    }

    @Test func credentialReferences() {
        #expect(AWSSigV4.Credentials(reference: "AKID:SECRET") == .init(accessKeyID: "AKID", secretAccessKey: "SECRET"))
        #expect(AWSSigV4.Credentials(reference: "AKID:SEC:RET:TOKEN")?.sessionToken == "RET:TOKEN")
        #expect(AWSSigV4.Credentials(reference: "ABSKbearer") == nil)
        #expect(AWSSigV4.Credentials(reference: ":SECRET") == nil)
    }

    @Test func amzDateFormat() {
        #expect(AWSSigV4.amzDate(1_440_938_160_000) == "20150830T123600Z")
    }
}

@Suite struct AWSEventStreamTests {
    @Test func crc32MatchesTheZlibCheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    @Test func roundTripInArbitraryPieces() throws {
        var wire: [UInt8] = []
        for index in 0..<3 {
            wire += AWSEventStream.encode(headers: [(":event-type", "contentBlockDelta"), (":message-type", "event")],
                                          payload: Array(#"{"n":\#(index)}"#.utf8))
        }
        for pieceSize in [1, 5, 13, wire.count] {
            var decoder = AWSEventStream.Decoder()
            var messages: [AWSEventStream.Message] = []
            var offset = 0
            while offset < wire.count {
                let piece = Array(wire[offset..<min(wire.count, offset + pieceSize)])
                messages += try piece.withUnsafeBytes { raw throws(AWSEventStream.FramingError) in try decoder.feed(raw) }
                offset += pieceSize
            }
            #expect(messages.count == 3 && !decoder.hasPartialMessage)
            #expect(messages[2].headers[":event-type"] == "contentBlockDelta")
            #expect(String(decoding: messages[2].payload, as: UTF8.self) == #"{"n":2}"#)
        }
    }

    @Test(arguments: [(0, AWSEventStream.FramingError.tooLarge), (8, .preludeChecksum), (20, .messageChecksum)])
    func corruptedBytesAreRefused(position: Int, expected: AWSEventStream.FramingError) {
        var wire = AWSEventStream.encode(headers: [(":event-type", "messageStop")], payload: Array(#"{"stopReason":"end_turn"}"#.utf8))
        wire[position] ^= 0x40
        var decoder = AWSEventStream.Decoder()
        #expect(throws: expected) {
            _ = try wire.withUnsafeBytes { raw throws(AWSEventStream.FramingError) in try decoder.feed(raw) }
        }
    }

    @Test func skipsNonStringHeaderTypes() throws {
        // Header "flag" of type 0 (true), "n" of type 4 (int32), then a string header.
        let headers: [UInt8] = [4] + Array("flag".utf8) + [0] + [1] + Array("n".utf8) + [4, 0, 0, 0, 7]
            + [2] + Array(":e".utf8) + [7, 0, 1] + Array("x".utf8)
        let parsed = try AWSEventStream.Decoder.headers(headers[...])
        #expect(parsed == [":e": "x"])
        #expect(throws: AWSEventStream.FramingError.badHeader) { _ = try AWSEventStream.Decoder.headers(([5] + Array("ab".utf8))[...]) }
    }
}
