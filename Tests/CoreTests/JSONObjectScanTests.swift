@testable import Core
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

    @Test("tells an empty array from its raw bytes")
    func emptyArray() throws {
        let scan = try JSONObjectScan(Array(#"{"a":[],"b":[ \#n\#t ],"c":[1],"d":[ []],"e":{},"f":"[]","g":null,"h":[ "x"]}"#.utf8))
        #expect(scan.arrayIsEmpty("a") == true && scan.arrayIsEmpty("b") == true)
        for key in ["c", "d", "h"] { #expect(scan.arrayIsEmpty(key) == false, "\(key)") }
        for key in ["e", "f", "g", "absent"] { #expect(scan.arrayIsEmpty(key) == nil, "\(key)") }
    }

    @Test("reads a nested object in place, as a scan of its own bytes would")
    func nestedObject() throws {
        let text = #"{"id":"x","usage": {"prompt_tokens":12,"details":{"cached_tokens":3},"note":"a\"b","n":1.5e1} ,"z":[]}"#
        let document = Array(text.utf8)
        let outer = try JSONObjectScan(document)
        let nested = try #require(outer.object("usage"))
        let alone = try JSONObjectScan(Array(document[try #require(outer.range(of: "usage"))]))
        #expect(nested.bytes == alone.bytes && nested.bodyStart == alone.bodyStart)
        #expect(nested.fields.map { $0.key } == alone.fields.map { $0.key } && nested.fields.map { $0.range } == alone.fields.map { $0.range })
        for key in ["prompt_tokens", "details", "note", "n", "id", "z"] {
            #expect(nested.range(of: key) == alone.range(of: key) && nested.value(key) == alone.value(key), "\(key)")
        }
        #expect(nested.int("prompt_tokens") == 12 && nested.int("n") == 15 && nested.object("details")?.int("cached_tokens") == 3)
        #expect(nested.object("note") == nil && outer.object("z") == nil && outer.object("id") == nil)
        let change: [(key: String, value: JSONValue)] = [("n", .int(2))]
        #expect(nested.setting(change) == alone.setting(change) && nested.removing(["note"]) == alone.removing(["note"]))
    }

    @Test("finds keys by their bytes: same-length neighbours, duplicates, the empty key and keys written with escapes")
    func keyLookup() throws {
        let scan = try JSONObjectScan(Array(#"{"modem":1,"model":2,"":3,"mo\u0064e\u006c":4,"a\"b":5,"n":6,"n":7}"#.utf8))
        #expect(scan.fields.map(\.key) == ["modem", "model", "", "model", "a\"b", "n", "n"])
        #expect(scan.value("modem") == .int(1))
        #expect(scan.value("model") == .int(4))  // the last duplicate wins, escaped or not
        #expect(scan.value("") == .int(3))
        #expect(scan.value("a\"b") == .int(5))
        #expect(scan.value("n") == .int(7))
        #expect(scan.value("mode") == nil && scan.value("models") == nil && scan.value("a\\\"b") == nil)
        let removed = try JSONObjectScan(scan.removing(["model"]))
        #expect(removed.fields.map(\.key) == ["modem", "", "a\"b", "n", "n"])
        #expect(try JSONParser.parse(scan.setting([("a\"b", .int(9))]))["a\"b"] == .int(9))
        // Without escaped keys a lookup first checks that some key has its length; long keys share the last bit.
        let long = (60...66).map { String(repeating: "k", count: $0) }
        let plain = try JSONObjectScan(Array(("{" + long.enumerated().map { "\"\($1)\":\($0)" }.joined(separator: ",") + ",\"ab\":9}").utf8))
        for (position, key) in long.enumerated() { #expect(plain.value(key) == .int(position)) }
        #expect(plain.value("ab") == .int(9) && plain.value("a") == nil && plain.value("ba") == nil && plain.value("abc") == nil)
        #expect(plain.value(String(repeating: "k", count: 67)) == nil && plain.value(String(repeating: "k", count: 59)) == nil)
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

    @Test("the word-at-a-time string scan agrees with the full parser wherever the special byte falls")
    func stringScanAtEveryOffset() throws {
        let pieces: [[UInt8]] = [Array(#"\""#.utf8), Array(#"\\"#.utf8), Array(#"\n"#.utf8), Array(#"\u00e9"#.utf8), Array("é✓😀".utf8),
                                 [0x7F], [0x20], [0x01], [0x1F], [0x0A], [0xFF], [0xC3], Array(#"\x"#.utf8), Array(#"\ud800"#.utf8)]
        for piece in pieces {
            for prefix in 0...17 {
                for suffix in [0, 3, 9] {
                    let text = [UInt8](repeating: UInt8(ascii: "a"), count: prefix) + piece + [UInt8](repeating: UInt8(ascii: "b"), count: suffix)
                    let document = Array(#"{"k":[""#.utf8) + text + Array(#""],"z":1}"#.utf8)
                    let parsed = try? JSONParser.parse(document)
                    let scanned = try? JSONObjectScan(document)
                    #expect((parsed == nil) == (scanned == nil), "piece \(piece) after \(prefix) bytes")
                    if let scanned { #expect(scanned.value("k") == parsed?["k"] && scanned.value("z") == .int(1)) }
                }
            }
        }
        // Unterminated, including a string that ends in the middle of an eight-byte word or on a backslash.
        for tail in ["aaaaaaaaaaaaaaaaaaaa", "aaaaaaa\\", "aaaaaaaaaaaaaaa\\"] {
            #expect(throws: JSONParseError.self) { try JSONObjectScan(Array(("{\"k\":\"" + tail).utf8)) }
        }
    }

    @Test("the word-at-a-time search finds exactly the first quote, backslash, control or non-ASCII byte")
    func firstSpecialByte() {
        func isSpecial(_ byte: UInt8) -> Bool { byte == 0x22 || byte == 0x5C || byte < 0x20 || byte >= 0x80 }
        func reference(_ bytes: [UInt8], from start: Int) -> Int { bytes[start...].firstIndex(where: isSpecial) ?? bytes.count }
        func found(_ bytes: [UInt8], from start: Int) -> Int {
            bytes.withUnsafeBytes { JSONStringBytes.firstSpecial(in: $0, from: start) }
        }
        // Every byte value at every place in and after the first word, alone or followed by bytes whose borrows could
        // mark a neighbour (0x00, 0x01, 0x20, 0x21, 0x23, 0x5D).
        for value in 0...255 {
            for place in 0..<19 {
                for follower: UInt8? in [nil, 0x00, 0x01, 0x20, 0x21, 0x23, 0x5D] {
                    var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 24)
                    bytes[place] = UInt8(value)
                    if let follower { bytes[place + 1] = follower }
                    for start in [0, 1, place] where start <= place {
                        #expect(found(bytes, from: start) == reference(bytes, from: start), "\(value) at \(place) from \(start)")
                    }
                }
            }
        }
        // Random text over an alphabet rich in near misses, every start.
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = [0x00, 0x01, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x5B, 0x5C, 0x5D, 0x7F, 0x80, 0xC3, 0xFF] + Array("abcxyz".utf8)
        for _ in 0..<300 {
            let bytes = (0..<Int.random(in: 0...40, using: &generator)).map { _ in
                Bool.random(using: &generator) ? UInt8(ascii: "m") : alphabet.randomElement(using: &generator)!
            }
            for start in 0...bytes.count { #expect(found(bytes, from: start) == reference(bytes, from: start), "\(bytes)") }
        }
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

    @Test("setting agrees with setting the parsed document, for any mix of replaced, added and repeated keys")
    func settingAgreesWithTheTree() throws {
        let documents = [#"{"a":1,"b":[true,{"x":"y"}],"c":"long value, long value","d":null}"#, #"{}"#, #" { "only" : 0 } "#]
        let changeSets: [[(key: String, value: JSONValue)]] = [
            [], [("a", .int(2))], [("d", .string("last"))], [("c", .int(3)), ("a", .object([]))], [("new", .bool(false))],
            [("d", .int(1)), ("new", .array([.int(1)])), ("a", .string("x\"y")), ("other", .null)], [("a", .int(1)), ("a", .int(5))],
            [("only", .string(String(repeating: "z", count: 500)))],
        ]
        for document in documents {
            let scan = try JSONObjectScan(Array(document.utf8))
            for changes in changeSets {
                var expected = try JSONParser.parse(Array(document.utf8))
                for (key, value) in changes { expected = expected.setting(key, to: value) }
                let changed = try JSONParser.parse(scan.setting(changes))
                // The same members with the same values; new ones come first in the scan's output, last in the tree's.
                let byKey = { (value: JSONValue) in Dictionary((value.objectValue ?? []).map { ($0.0, $0.1) }, uniquingKeysWith: { $1 }) }
                #expect(byKey(changed) == byKey(expected), "\(document) with \(changes.map(\.key))")
            }
        }
    }
}
