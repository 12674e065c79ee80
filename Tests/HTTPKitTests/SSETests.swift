import HTTPKit
import Testing

@Suite("SSE event encoding and chunk framing")
struct SSEEventTests {
    @Test("encodes events that the splitter and payload reader read back")
    func roundTrip() throws {
        let event = SSEEvent(event: "x", data: "line1\nline2")
        var splitter = SSEEventSplitter()
        var payloads: [String] = []
        try event.encoded.withUnsafeBytes { raw in
            try splitter.feed(raw) { payloads.append(String(decoding: SSEPayload.data(of: $0), as: UTF8.self)) }
        }
        #expect(String(decoding: event.encoded, as: UTF8.self) == "event: x\ndata: line1\ndata: line2\n\n")
        #expect(payloads == ["line1\nline2"])
    }

    @Test("hands over a read's whole LF events as one run, and the rest event by event")
    func runs() throws {
        func feed(_ reads: [String]) throws -> [String] {
            var splitter = SSEEventSplitter()
            var handed: [String] = []
            for read in reads {
                try Array(read.utf8).withUnsafeBytes { bytes in
                    try splitter.feed(bytes, run: { handed.append("run:" + String(decoding: $0, as: UTF8.self)) },
                                      event: { handed.append("event:" + String(decoding: $0, as: UTF8.self)) })
                }
            }
            return handed
        }
        #expect(try feed(["data: a\n\ndata: b\n\ndata: c"]) == ["run:data: a\n\ndata: b\n\n"])
        // The unfinished event is held: the next read is then split event by event until nothing is held.
        #expect(try feed(["data: a\n\ndata: b", "\n\ndata: c\n\n", "data: d\n\n"])
                == ["run:data: a\n\n", "event:data: b\n\n", "event:data: c\n\n", "run:data: d\n\n"])
        // Leading blank lines are dropped; a read with a CR is split event by event.
        #expect(try feed(["\n\ndata: a\n\n", "data: b\r\n\r\ndata: c\n\n"])
                == ["run:data: a\n\n", "event:data: b\r\n\r\n", "event:data: c\n\n"])
        #expect(try feed(["data: a"]) == [])
    }

    @Test("finds the whole event around any byte of a run")
    func eventAroundAByte() {
        let run = Array("data: a\n\n: comment\ndata: bb\n\n\ndata: c\n\n".utf8)
        let events = [0..<9, 9..<29, 30..<39]
        run.withUnsafeBytes { bytes in
            for event in events {
                for offset in event.lowerBound..<(event.upperBound - 2) {
                    #expect(SSEEventSplitter.lfEvent(around: offset, in: bytes, from: 0) == event, "offset \(offset)")
                }
            }
            #expect(SSEEventSplitter.lfEvent(around: 32, in: bytes, from: 30) == 30..<39)
        }
    }

    @Test("frames chunk sizes in hex")
    func chunk() {
        for count in [0, 1, 15, 16, 255, 256, 4095, 70_000] {
            let data = (0..<count).map { UInt8(truncatingIfNeeded: $0) }
            #expect(HTTPResponseEncoder.chunk(data) == HTTPResponseEncoder.chunkHeader(count) + data + HTTPResponseEncoder.crlf)
        }
        #expect(HTTPResponseEncoder.chunkHeader(16) == Array("10\r\n".utf8))
        #expect(HTTPResponseEncoder.chunkHeader(4095) == Array("fff\r\n".utf8))
        for count in [0, 1, 9, 10, 15, 255, 256, 1 << 20, Int.max] {
            #expect(HTTPResponseEncoder.chunkHeader(count) == Array((String(count, radix: 16) + "\r\n").utf8))
        }
    }

    @Test("writes a response head exactly, whatever its size: long values, many headers, any status")
    func responseHead() {
        var headers = HTTPHeaders()
        for index in 0..<200 { headers.add("x-header-\(index)", String(repeating: "v", count: index * 37)) }
        for (status, length, keepAlive, minor) in [(200, 12, true, 1), (999_999_999, Int.max, false, 0), (204, nil, true, 0),
                                                   (431, nil, false, 1), (-1, 0, true, 1)] as [(Int, Int?, Bool, Int)] {
            var expected = (minor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ") + "\(status) \(HTTPResponseEncoder.reasonPhrase(status))\r\n"
            for (name, value) in headers { expected += "\(name): \(value)\r\n" }
            if let length { expected += "content-length: \(length)\r\n" } else if status != 204 { expected += "transfer-encoding: chunked\r\n" }
            if !keepAlive { expected += "connection: close\r\n" } else if minor == 0 { expected += "connection: keep-alive\r\n" }
            expected += "\r\n"
            let head = HTTPResponseEncoder.head(status: status, headers: headers, contentLength: length, keepAlive: keepAlive, versionMinor: minor)
            #expect(String(decoding: head, as: UTF8.self) == expected, "status \(status)")
        }
        #expect(HTTPResponseEncoder.head(status: 200, headers: HTTPHeaders(), contentLength: 0, keepAlive: true)
                == Array("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n".utf8))
    }
}

@Suite("Router")
struct RouterTests {
    @Test("matches parameters, reports 405 and 404")
    func matching() {
        var router = Router<Int>()
        router.add("GET", "/a/{id}", 1)
        router.add("POST", "/a", 2)
        guard case .found(1, let parameters) = router.match(method: "GET", path: "/a/x%20y") else {
            Issue.record("expected a match")
            return
        }
        #expect(parameters["id"] == "x y")
        guard case .methodNotAllowed(let allowed) = router.match(method: "DELETE", path: "/a") else {
            Issue.record("expected 405")
            return
        }
        #expect(allowed == ["POST"])
        guard case .notFound = router.match(method: "GET", path: "/b") else {
            Issue.record("expected 404")
            return
        }
    }
}

@Suite("SSE event splitter")
struct SSEEventSplitterTests {
    static let stream = "data: {\"a\":1}\n\n: ping\n\ndata: cr\r\rdata: one\r\ndata: two\r\n\r\n\n\ndata: [DONE]\n\n"

    func split(_ pieces: [[UInt8]]) throws -> [String] {
        var splitter = SSEEventSplitter()
        var events: [String] = []
        for piece in pieces {
            try piece.withUnsafeBytes { raw in
                try splitter.feed(raw) { events.append(String(decoding: $0, as: UTF8.self)) }
            }
        }
        return events
    }

    @Test("yields whole raw events, the same for every split point")
    func everySplit() throws {
        let all = Array(Self.stream.utf8)
        let expected = ["data: {\"a\":1}\n\n", ": ping\n\n", "data: cr\r\r", "data: one\r\ndata: two\r\n\r\n", "data: [DONE]\n\n"]
        #expect(try split([all]) == expected)
        for index in 0...all.count {
            #expect(try split([Array(all[..<index]), Array(all[index...])]) == expected, "split at \(index)")
        }
        #expect(try split(all.map { [$0] }) == expected)
    }

    @Test("reads data payloads and recognises [DONE]")
    func payload() throws {
        for (event, data, done) in [("data: {\"a\":1}\n\n", "{\"a\":1}", false), ("data: one\r\ndata:two\r\n\r\n", "one\ntwo", false),
                                    ("data: [DONE]\n\n", "[DONE]", true), ("data:[DONE]\r\r", "[DONE]", true), (": c\n\n", "", false),
                                    ("data: x\nid: 5\n\n", "x", false), ("data:\n\n", "", false), ("data: \n\n", "", false),
                                    ("data:  two spaces\n\n", " two spaces", false), ("data: a\r\n\r\n", "a", false)] {
            Array(event.utf8).withUnsafeBytes { raw in
                #expect(String(decoding: SSEPayload.data(of: raw), as: UTF8.self) == data)
                #expect(SSEPayload.isDone(raw) == done)
            }
        }
    }

    @Test("fails on an event larger than the limit")
    func limit() {
        var splitter = SSEEventSplitter(maxEventBytes: 64)
        let big = Array(("data: " + String(repeating: "x", count: 100)).utf8)
        #expect(throws: SSEStreamError.eventTooLong(limit: 64)) {
            try big.withUnsafeBytes { try splitter.feed($0) { _ in } }
        }
    }
}

@Suite("Header fields")
struct HeaderFieldTests {
    @Test("finds a token in comma-separated values of any field of the name, case and spaces aside")
    func tokens() {
        var headers = HTTPHeaders()
        headers.add("Connection", " Keep-Alive ,\tUpgrade")
        headers.add("x-other", "close")
        headers.add("connection", "")
        headers.add("CONNECTION", "te,,close")
        #expect(headers.contains("connection", token: "keep-alive"))
        #expect(headers.contains("connection", token: "upgrade"))
        #expect(headers.contains("connection", token: "close"))
        #expect(!headers.contains("connection", token: ""))  // empty parts are no tokens
        #expect(!headers.contains("connection", token: "keep"))
        #expect(!headers.contains("connection", token: "keep-alive,"))
        #expect(!headers.contains("expect", token: "close"))
        #expect(!HTTPHeaders().contains("connection", token: "close"))
        #expect(HTTPHeaders([("expect", "100-continue")]).contains("Expect", token: "100-CONTINUE"))
    }
}
