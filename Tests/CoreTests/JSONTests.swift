import Core
import Testing

@Suite("JSON parser and writer")
struct JSONTests {
    @Test("round-trips a document keeping key order and number literals")
    func roundTrip() throws {
        let text = #"{"b":1,"a":[true,false,null,"x\"\\\n\u00e9"],"n":12345678901234567890,"f":-0.5e-3,"o":{}}"#
        let value = try JSONParser.parse(text)
        #expect(value["n"] == .number("12345678901234567890"))
        #expect(JSONWriter.string(value) == #"{"b":1,"a":[true,false,null,"x\"\\\né"],"n":12345678901234567890,"f":-0.5e-3,"o":{}}"#)
        #expect(try JSONParser.parse(JSONWriter.encode(value)) == value)
    }

    @Test("escapes a special character wherever it falls in a string, word-at-a-time scan or not")
    func escapesAtEveryOffset() throws {
        let escaped: [(Character, String)] = [("\"", #"\""#), ("\\", #"\\"#), ("\n", #"\n"#), ("\r", #"\r"#), ("\t", #"\t"#),
                                              ("\u{01}", #"\u0001"#), ("\u{1F}", #"\u001f"#), ("é", "é"), ("😀", "😀"), ("~", "~")]
        for prefix in 0...17 {
            for suffix in [0, 3, 9] {
                for (special, expected) in escaped {
                    let text = String(repeating: "a", count: prefix) + String(special) + String(repeating: "b", count: suffix)
                    var out: [UInt8] = []
                    JSONWriter.writeString(text, into: &out)
                    let want = "\"" + String(repeating: "a", count: prefix) + expected + String(repeating: "b", count: suffix) + "\""
                    #expect(String(decoding: out, as: UTF8.self) == want, "\(special.unicodeScalars.first!.value) after \(prefix)")
                    #expect(try JSONParser.parse(out) == .string(text))
                }
            }
        }
    }

    @Test("decodes surrogate pairs and rejects lone surrogates")
    func surrogates() throws {
        #expect(try JSONParser.parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(throws: JSONParseError.self) { try JSONParser.parse(#""\ud83d""#) }
        #expect(throws: JSONParseError.self) { try JSONParser.parse(#""\ude00""#) }
    }

    static let invalid: [String] = ["", "{", "[1,]", "{\"a\":}", "01", "1.", "-", "tru", "\"a", "{\"a\" 1}", "[1] x", "\"\u{1}\"", "nul", "{'a':1}", "1e"]

    @Test("rejects malformed documents", arguments: invalid)
    func rejects(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test("rejects invalid UTF-8 inside strings")
    func invalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test("bounds nesting depth")
    func depth() throws {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
        let fine = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        _ = try JSONParser.parse(fine)
        let hostile = String(repeating: "[", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(hostile) }
    }

    @Test("sets keys in place or appends them")
    func setting() throws {
        let value = try JSONParser.parse(#"{"model":"a","x":1}"#)
        #expect(JSONWriter.string(value.setting("model", to: .string("b"))) == #"{"model":"b","x":1}"#)
        #expect(JSONWriter.string(value.setting("y", to: .bool(true))) == #"{"model":"a","x":1,"y":true}"#)
    }

    @Test("reads integers exactly and refuses fractions")
    func integers() {
        #expect(JSONValue.number("42").intValue == 42)
        #expect(JSONValue.number("1e3").intValue == 1000)
        #expect(JSONValue.number("1.5").intValue == nil)
        #expect(JSONValue.number("1e300").intValue == nil)
    }
}

@Suite("Money and time")
struct MoneyTests {
    @Test("parses decimal dollars exactly", arguments: [("2.5", 2_500_000), ("0.000125", 125), ("10", 10_000_000), ("0.1000000", 100_000)])
    func parses(_ text: String, _ micros: Int64) {
        #expect(Micros(decimal: text)?.value == micros)
    }

    @Test("refuses negatives, exponents and sub-micro precision", arguments: ["-1", "1e3", "0.0000001", "", ".", "1.2.3", "abc"])
    func refuses(_ text: String) {
        #expect(Micros(decimal: text) == nil)
    }

    @Test("prints without trailing zeros")
    func prints() {
        #expect(Micros(2_500_000).description == "2.5")
        #expect(Micros(125).description == "0.000125")
        #expect(Micros(3_000_000).description == "3")
    }

    @Test("formats and parses RFC 3339")
    func timestamps() {
        #expect(Timestamp.iso8601(0) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.parse("2026-11-22T01:02:03Z") == 1_795_309_323_000)
        #expect(Timestamp.parse("2026-11-22T01:02:03.5Z") == 1_795_309_323_500)
        #expect(Timestamp.parse("2026-11-22T03:02:03+02:00") == 1_795_309_323_000)
        #expect(Timestamp.parse("2026-11-22") == 1_795_305_600_000)
        #expect(Timestamp.parse("1795309323") == 1_795_309_323_000)
        #expect(Timestamp.parse("yesterday") == nil)
        #expect(Timestamp.parse("2026-13-01") == nil)
    }

    @Test("hashes with SHA-256")
    func sha() {
        #expect(Crypto.sha256Hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
