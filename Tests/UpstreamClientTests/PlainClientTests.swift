import HTTPKit
import Testing
@testable import UpstreamClient

private func head(_ text: String) throws -> ResponseHead {
    let bytes = Array(text.utf8)
    return try bytes.withUnsafeBufferPointer { try ResponseHead.parse($0, kept: UpstreamTransfer.keptHeaders) }
}

@Suite struct ResponseHeadTests {
    @Test func readsStatusFramingAndOnlyTheKeptHeaders() throws {
        let parsed = try head("HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nRetry-After: 7\r\nX-Other: no\r\nContent-Length: 12")
        #expect(parsed.status == 429)
        #expect(parsed.framing == .length(12))
        #expect(parsed.keepAlive)
        #expect(parsed.headers.fields.map(\.name) == ["content-type", "retry-after"])
        #expect(parsed.headers["retry-after"] == "7")
        let quota = try head("HTTP/1.1 200 OK\r\nX-RateLimit-Remaining-Tokens: 5\r\nx-ratelimit-remaining-token: 6\r\nContent-Length: 0")
        #expect(quota.headers.fields.map(\.name) == ["x-ratelimit-remaining-tokens"] && quota.headers["x-ratelimit-remaining-tokens"] == "5")
    }

    @Test func chunkedWinsAndUndelimitedBodiesEndTheConnection() throws {
        #expect(try head("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked").framing == .chunked)
        let undelimited = try head("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream")
        #expect(undelimited.framing == .untilClose && !undelimited.keepAlive)
        #expect(try head("HTTP/1.1 204 No Content").framing == .none)
        #expect(try head("HTTP/1.1 200 OK\r\ncontent-length: 0").framing == .none)
        #expect(try head("HTTP/1.1 200 OK\r\ncontent-length: 3\r\nconnection: close").keepAlive == false)
        #expect(try head("HTTP/1.0 200 OK\r\ncontent-length: 3").keepAlive == false)
        #expect(try head("HTTP/1.0 200 OK\r\ncontent-length: 3\r\nConnection: Keep-Alive").keepAlive)
        #expect(try head("HTTP/1.1 200").status == 200)
    }

    @Test(arguments: [
        "HTTP/2 200 OK", "http/1.1 200 OK", "HTTP/1.1 20 OK", "HTTP/1.1 2000 OK", "HTTP/1.1 099 Low", "ICY 200 OK", "",
        "HTTP/1.1 200 OK\r\ncontent-length: 4\r\ncontent-length: 5",
        "HTTP/1.1 200 OK\r\ncontent-length: -1", "HTTP/1.1 200 OK\r\ncontent-length: 1,1",
        "HTTP/1.1 200 OK\r\ncontent-length: 99999999999999999999",
        "HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, chunked", "HTTP/1.1 200 OK\r\ncontent-encoding: gzip",
        "HTTP/1.1 200 OK\r\nno colon here", "HTTP/1.1 200 OK\r\n: empty name",
        "HTTP/1.1 200 OK\r\ncontent\rlength: 5",
    ])
    func refusesHeadsThatCouldBeMisread(_ text: String) {
        #expect(throws: UpstreamProtocolError.self) { _ = try head(text) }
    }

    @Test func anEqualRepeatedLengthIsAccepted() throws {
        #expect(try head("HTTP/1.1 200 OK\r\ncontent-length: 5\r\nContent-Length: 5").framing == .length(5))
    }
}

@Suite struct PlainEndpointTests {
    @Test func literalHostsAndLocalhostUseTheOwnClient() throws {
        let v4 = try #require(PlainEndpoint(url: "http://10.0.0.7:8000/v1/chat/completions?x=1"))
        #expect(v4.address == "10.0.0.7" && v4.port == 8000 && v4.authority == "10.0.0.7:8000" && v4.target == "/v1/chat/completions?x=1")
        let local = try #require(PlainEndpoint(url: "http://LocalHost/api/chat"))
        #expect(local.address == "127.0.0.1" && local.port == 80 && local.authority == "LocalHost")
        let v6 = try #require(PlainEndpoint(url: "http://[::1]:11434"))
        #expect(v6.address == "::1" && v6.port == 11434 && v6.target == "/")
        #expect(PlainEndpoint(url: "http://127.0.0.1:9?q#frag")?.target == "/?q")
    }

    @Test(arguments: [
        "https://127.0.0.1/v1", "http://api.openai.com/v1", "http://ollama:11434/api", "http://user@127.0.0.1/",
        "http://127.0.0.1:0/", "http://127.0.0.1:65536/", "http://127.0.0.1:/", "http://256.0.0.1/", "http://1.2.3/",
        "http://[::1/", "http://[::1]x/", "http://[example]/", "http:///v1", "ftp://127.0.0.1/",
    ])
    func everythingElseGoesThroughLibcurl(_ url: String) {
        #expect(PlainEndpoint(url: url) == nil)
    }

    @Test func requestsAreEncodedWithHostAndLengthAndNoInjectedLines() {
        var headers = HTTPHeaders()
        headers.add("authorization", "Bearer k")
        headers.add("x-evil", "a\r\nx-injected: 1")
        let request = UpstreamRequest(url: "http://127.0.0.1:8080/v1/x", headers: headers, body: Array("{}".utf8))
        let endpoint = PlainEndpoint(url: request.url)!
        let text = String(decoding: PlainConnection.encode(request, endpoint: endpoint), as: UTF8.self)
        #expect(text == "POST /v1/x HTTP/1.1\r\nhost: 127.0.0.1:8080\r\nauthorization: Bearer k\r\ncontent-length: 2\r\n\r\n{}")
    }

    @Test func largeRequestsAreEncodedWhole() {
        var headers = HTTPHeaders()
        for index in 0..<100 { headers.add("x-\(index)", String(repeating: "h", count: index * 41)) }
        let body = [UInt8](repeating: UInt8(ascii: "b"), count: 1 << 20)
        let path = "/v1/" + String(repeating: "p", count: 3000)
        let request = UpstreamRequest(url: "http://[::1]:65535" + path, headers: headers, body: body)
        let endpoint = PlainEndpoint(url: request.url)!
        let encoded = PlainConnection.encode(request, endpoint: endpoint)
        var head = "POST \(path) HTTP/1.1\r\nhost: \(endpoint.authority)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "content-length: \(body.count)\r\n\r\n"
        #expect(encoded == Array(head.utf8) + body)
        let get = UpstreamRequest(method: "GET", url: "http://127.0.0.1/v1/models", headers: HTTPHeaders(), body: [])
        #expect(String(decoding: PlainConnection.encode(get, endpoint: PlainEndpoint(url: get.url)!), as: UTF8.self)
                == "GET /v1/models HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n")
    }
}

/// A reactor that never runs anything: enough for the pool's bookkeeping, which does no I/O.
private final class InertReactor: UpstreamReactor, @unchecked Sendable {
    var inLoop: Bool { true }
    func watchSocket(_ fd: Int32, readable: Bool, writable: Bool, handler: @escaping (Bool, Bool, Bool) -> Void) {}
    func unwatchSocket(_ fd: Int32) {}
    func scheduleTimer(afterMillis millis: Int, _ handler: @escaping () -> Void) -> UInt64 { 0 }
    func cancelTimer(_ id: UInt64) {}
    func enqueue(_ task: @escaping @Sendable () -> Void) {}
}

@Suite struct PlainDestinationTests {
    @Test func urlsNamingOneEndpointShareADestinationAndUnusedOnesAreForgotten() throws {
        let client = UpstreamHTTPClient(reactor: InertReactor())
        let pool = PlainConnectionPool(client: client)
        let used = try #require(pool.destination(forURL: "http://127.0.0.1:9/v1"))
        #expect(pool.destination(forURL: "http://127.0.0.1:9/v1#fragment") === used)
        let unused = try #require(pool.destination(forURL: "http://127.0.0.1:9/v2"))
        #expect(unused !== used)
        #expect(pool.destination(forURL: "https://api.example.com/v1") == nil && pool.destination(forURL: "https://api.example.com/v1") == nil)
        used.busyCount = 1  // a connection to it is carrying a request
        for n in 0..<4100 { _ = pool.destination(forURL: "http://127.0.0.1:9/x\(n)") }
        // Past 4,096 URLs the cache starts over and forgets destinations with no connection; one in use is kept.
        #expect(pool.destination(forURL: "http://127.0.0.1:9/v1") === used)
        #expect(pool.destination(forURL: "http://127.0.0.1:9/v2") !== unused)
    }
}
