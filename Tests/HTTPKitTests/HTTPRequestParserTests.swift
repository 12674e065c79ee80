import HTTPKit
import Testing

/// Feeds `input` to a fresh parser in the given pieces and collects the requests or the first error.
func parseAll(_ pieces: [[UInt8]], limits: HTTPParserLimits = HTTPParserLimits()) -> (requests: [HTTPRequest], error: HTTPParseError?) {
    var parser = HTTPRequestParser(limits: limits)
    var requests: [HTTPRequest] = []
    for piece in pieces {
        parser.append(piece)
        do {
            while let request = try parser.next() { requests.append(request) }
        } catch let error as HTTPParseError {
            return (requests, error)
        } catch {
            return (requests, .badRequest("unexpected"))
        }
    }
    return (requests, nil)
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

struct Summary: Equatable {
    let method: String
    let target: String
    let body: String
}

func summarize(_ requests: [HTTPRequest]) -> [Summary] {
    requests.map { Summary(method: $0.method, target: $0.target, body: String(decoding: $0.body, as: UTF8.self)) }
}

@Suite("HTTP/1.1 request parser")
struct HTTPRequestParserTests {
    static let valid: [(String, [Summary])] = [
        ("GET / HTTP/1.1\r\nHost: a\r\n\r\n", [Summary(method: "GET", target: "/", body: "")]),
        ("POST /v1/x?y=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
         [Summary(method: "POST", target: "/v1/x?y=1", body: "hello")]),
        ("POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\n",
         [Summary(method: "POST", target: "/c", body: "hello world")]),
        ("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nPOST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nokGET /3 HTTP/1.0\r\n\r\n",
         [Summary(method: "GET", target: "/1", body: ""), Summary(method: "POST", target: "/2", body: "ok"),
          Summary(method: "GET", target: "/3", body: "")]),
        ("\r\nGET /lead HTTP/1.1\r\nHost: a\r\n\r\n", [Summary(method: "GET", target: "/lead", body: "")]),
    ]

    @Test("parses whole input", arguments: 0..<valid.count)
    func whole(_ index: Int) {
        let (input, expected) = Self.valid[index]
        let result = parseAll([bytes(input)])
        #expect(result.error == nil)
        #expect(summarize(result.requests) == expected)
    }

    @Test("gives the same requests byte by byte", arguments: 0..<valid.count)
    func byteByByte(_ index: Int) {
        let (input, expected) = Self.valid[index]
        let result = parseAll(bytes(input).map { [$0] })
        #expect(result.error == nil)
        #expect(summarize(result.requests) == expected)
    }

    @Test("gives the same requests split at every boundary", arguments: 0..<valid.count)
    func everySplit(_ index: Int) {
        let (input, expected) = Self.valid[index]
        let all = bytes(input)
        for split in 0...all.count {
            let result = parseAll([Array(all[..<split]), Array(all[split...])])
            #expect(result.error == nil, "split at \(split)")
            #expect(summarize(result.requests) == expected, "split at \(split)")
        }
    }

    @Test("reads headers case-insensitively and trims whitespace")
    func headers() {
        let result = parseAll([bytes("GET / HTTP/1.1\r\nHOST: a\r\nX-Thing:   spaced value \t\r\n\r\n")])
        #expect(result.requests.first?.headers["x-thing"] == "spaced value")
        #expect(result.requests.first?.headers["host"] == "a")
    }

    @Test("keeps alive by default on 1.1 and not on 1.0")
    func keepAlive() {
        let result = parseAll([bytes("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.0\r\n\r\n")])
        #expect(result.requests.map(\.keepAlive) == [false, true, false])
    }

    static let rejected: [(String, Int)] = [
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nX-Folded: a\r\n  b\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nX: a\u{0}b\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        ("GET http://evil/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("CONNECT evil:443 HTTP/1.1\r\nHost: a\r\n\r\n", 405),
        ("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
        ("GET / FOO\r\nHost: a\r\n\r\n", 400),
        ("GET / http/1.1\r\nHost: a\r\n\r\n", 400),
        ("GET / HTTP/1.11\r\nHost: a\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", 400),
        ("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
    ]

    @Test("rejects ambiguous or malformed framing", arguments: 0..<rejected.count)
    func rejects(_ index: Int) {
        let (input, status) = Self.rejected[index]
        let result = parseAll([bytes(input)])
        #expect(result.error?.status == status, "input: \(input.debugDescription)")
        let split = parseAll(bytes(input).map { [$0] })
        #expect(split.error?.status == status, "byte by byte: \(input.debugDescription)")
    }

    @Test("answers 431 for oversized heads, even when they never end")
    func headTooLarge() {
        let limits = HTTPParserLimits(maxHeadBytes: 1024)
        let long = "GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "a", count: 2000) + "\r\n\r\n"
        #expect(parseAll([bytes(long)], limits: limits).error == .headersTooLarge)
        let unterminated = "GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 2000)
        #expect(parseAll([bytes(unterminated)], limits: limits).error == .headersTooLarge)
        let many = "GET / HTTP/1.1\r\nHost: a\r\n" + String(repeating: "X: y\r\n", count: 200) + "\r\n"
        #expect(parseAll([bytes(many)]).error == .headersTooLarge)
    }

    @Test("answers 413 for bodies over the limit, declared or chunked")
    func bodyTooLarge() {
        let limits = HTTPParserLimits(maxBodyBytes: 10)
        #expect(parseAll([bytes("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n")], limits: limits).error == .bodyTooLarge)
        let chunked = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n"
        #expect(parseAll([bytes(chunked)], limits: limits).error == .bodyTooLarge)
        #expect(parseAll([bytes("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123456789")], limits: limits).error == nil)
    }

    @Test("asks for 100-continue once when the client expects it")
    func expectContinue() throws {
        var parser = HTTPRequestParser()
        parser.append(bytes("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"))
        let first = try parser.next()
        #expect(first == nil)
        let asked = parser.takeContinueRequest()
        let askedAgain = parser.takeContinueRequest()
        #expect(asked)
        #expect(!askedAgain)
        parser.append(bytes("ok"))
        let request = try parser.next()
        #expect(request?.body == bytes("ok"))
        // Any Expect field listing the token, in any case; nothing else asks.
        for (fields, asks) in [("Expect: 100-Continue\r\n", true), ("X: 1\r\nexpect: a, 100-continue \r\n", true),
                               ("Expect: 100-continued\r\n", false), ("Expects: 100-continue\r\n", false), ("", false)] {
            var parser = HTTPRequestParser()
            parser.append(bytes("POST / HTTP/1.1\r\nHost: a\r\n" + fields + "Content-Length: 2\r\n\r\n"))
            _ = try parser.next()
            #expect(parser.takeContinueRequest() == asks, "\(fields)")
        }
    }

    @Test("finds a fixed set's header names by their bytes, in any case, and nothing else")
    func headerNameSet() {
        let set = HeaderNameSet(["content-type", "retry-after", "x-ratelimit-remaining-requests", "x-ratelimit-limit-requests", "a"])
        func member(_ text: String) -> String? { Array(text.utf8).withUnsafeBufferPointer { set.member($0) } }
        #expect(member("Content-Type") == "content-type" && member("RETRY-AFTER") == "retry-after" && member("A") == "a")
        #expect(member("X-RateLimit-Remaining-Requests") == "x-ratelimit-remaining-requests")
        #expect(member("x-ratelimit-limit-requests") == "x-ratelimit-limit-requests")
        #expect(member("content-typf") == nil && member("retry_after") == nil && member("") == nil && member("b") == nil)
        #expect(member("x-ratelimit-remaining-requestss") == nil && member(String(repeating: "x", count: 200)) == nil)
    }

    @Test("decodes percent-escaped query parameters")
    func query() {
        let request = HTTPRequest(method: "GET", target: "/x?model=gpt%2D4o&from=2026-01-01T00%3A00%3A00Z&flag")
        #expect(request.query["model"] == "gpt-4o")
        #expect(request.query["from"] == "2026-01-01T00:00:00Z")
        #expect(request.query["flag"] == "")
        #expect(request.path == "/x")
    }

    @Test("the path is the target up to its first `?`, whatever the target holds")
    func path() {
        for (target, path) in [("/v1/chat/completions", "/v1/chat/completions"), ("/v1/x?a=1?b", "/v1/x"), ("?a", ""), ("", ""),
                               ("/é/日本?q=é", "/é/日本"), ("/a%3Fb", "/a%3Fb")] {
            #expect(HTTPRequest(method: "GET", target: target).path == path, "\(target)")
        }
    }
}

@Test("a case-insensitive prefix compares ASCII letters only, in place")
func caseInsensitivePrefix() {
    #expect("Text/Event-Stream; charset=utf-8".hasASCIICaseInsensitivePrefix("text/event-stream"))
    #expect("BEARER sk-1".hasASCIICaseInsensitivePrefix("bearer ") && "bearer ".hasASCIICaseInsensitivePrefix("bearer "))
    #expect(!"text/event-strea".hasASCIICaseInsensitivePrefix("text/event-stream"))
    #expect(!"bearer\tx".hasASCIICaseInsensitivePrefix("bearer ") && !"application/json".hasASCIICaseInsensitivePrefix("text/"))
    #expect(!"Bearér x".hasASCIICaseInsensitivePrefix("bearer ") && !"{earer x".hasASCIICaseInsensitivePrefix("[earer "))
    #expect("anything".hasASCIICaseInsensitivePrefix(""))
}
