import Core
import Testing

@Suite struct EmbeddingsTests {
    @Test func readsStringAndListInputs() throws {
        let single = try EmbeddingsRequest(json: JSONParser.parse(Array(#"{"model":"m","input":"hi"}"#.utf8)))
        #expect(single == EmbeddingsRequest(model: "m", inputs: ["hi"]))
        let many = try EmbeddingsRequest(json: JSONParser.parse(Array(#"{"model":"m","input":["a","b"],"encoding_format":"base64","dimensions":8}"#.utf8)))
        #expect(many.inputs == ["a", "b"] && many.base64 && many.dimensions == 8)
    }

    @Test(arguments: [#"{"input":"x"}"#, #"{"model":"m"}"#, #"{"model":"m","input":[]}"#, #"{"model":"m","input":[1,2]}"#,
                      #"{"model":"m","input":"x","encoding_format":"int8"}"#, #"{"model":"m","input":"x","dimensions":0}"#])
    func refusesBadBodies(_ body: String) throws {
        let document = try JSONParser.parse(Array(body.utf8))
        #expect(throws: GatewayError.self) { try EmbeddingsRequest(json: document) }
    }

    @Test func base64IsLittleEndianFloat32() {
        // 1.0 is 0x3f800000; 0.5 is 0x3f000000.
        let json = EmbeddingsResult(vectors: [[1, 0.5]], inputTokens: 2).openAIJSON(model: "m", base64: true)
        #expect(json["data"]?.arrayValue?.first?["embedding"]?.stringValue == Base64.encode([0, 0, 0x80, 0x3f, 0, 0, 0, 0x3f]))
        #expect(json["usage"]?["prompt_tokens"]?.intValue == 2)
    }
}
