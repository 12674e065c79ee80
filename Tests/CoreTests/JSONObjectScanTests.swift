import Core
import Testing

@Suite("JSON object scan")
struct JSONObjectScanTests {
    @Test("indexes top-level fields and reads one value")
    func indexes() throws {
        let scan = try JSONObjectScan(Array(#"{"model":"a","messages":[{"role":"user","content":"h\u00e9"}],"stream":true}"#.utf8))
        #expect(scan.fields.map(\.key) == ["model", "messages", "stream"])
        #expect(scan.value("model") == .string("a"))
        #expect(scan.value("stream") == .bool(true))
        #expect(scan.value("absent") == nil)
    }

    @Test("validates what it skips like the full parser", arguments: [
        #"{"a":[1,2,}"#, #"{"a":"\x"}"#, #"{"a":"\ud800"}"#, #"{"a":tru}"#, #"{"a":01}"#, #"[1]"#, #"{"a":1} x"#, #"{"a":{"b":}}"#,
    ])
    func rejects(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONObjectScan(Array(text.utf8)) }
    }

    @Test("rejects invalid UTF-8 and overlong or surrogate encodings in skipped strings",
          arguments: [[0xC3, 0x28], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF], [0xFF]] as [[UInt8]])
    func invalidUTF8(_ sequence: [UInt8]) {
        let document = Array(#"{"m":["x"#.utf8) + sequence + Array(#""]}"#.utf8)
        #expect(throws: JSONParseError.self) { try JSONObjectScan(document) }
    }

    @Test("accepts valid multi-byte text in skipped strings")
    func validUTF8() throws {
        _ = try JSONObjectScan(Array(#"{"m":["héllo ✓ 😀 中文"]}"#.utf8))
    }

    @Test("bounds the depth of skipped values")
    func depth() {
        let deep = "{\"a\":" + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "}"
        #expect(throws: JSONParseError.self) { try JSONObjectScan(Array(deep.utf8)) }
    }

    @Test("splices changed fields and leaves every other byte alone")
    func setting() throws {
        let original = #"{ "model" : "public",  "messages":[{"role":"user","content":"x"}], "stream":true }"#
        let scan = try JSONObjectScan(Array(original.utf8))
        let changed = scan.setting([("model", .string("upstream")), ("stream_options", .object([("include_usage", .bool(true))]))])
        #expect(String(decoding: changed, as: UTF8.self)
            == #"{"stream_options":{"include_usage":true}, "model" : "upstream",  "messages":[{"role":"user","content":"x"}], "stream":true }"#)
        #expect(try JSONParser.parse(changed)["stream_options"]?["include_usage"] == .bool(true))
        let empty = try JSONObjectScan(Array("{}".utf8)).setting([("a", .int(1))])
        #expect(String(decoding: empty, as: UTF8.self) == #"{"a":1}"#)
    }
}
