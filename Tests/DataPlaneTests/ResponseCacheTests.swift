import Core
@testable import DataPlane
import Testing

@Suite("Response cache: LRU by bytes, TTL, coalescing")
struct ResponseCacheTests {
    final class Clock: @unchecked Sendable { var now: Int64 = 1_000 }

    func entry(_ size: Int, expires: Int64) -> ResponseCache.Entry {
        ResponseCache.Entry(body: [UInt8](repeating: 65, count: size),
                            completion: ChatCompletion(id: "c", model: "m", created: 0, choices: [], usage: nil),
                            provider: "p", upstreamModel: "m", deploymentID: "d", expiresAtMillis: expires)
    }

    @Test("the least recently used entry goes first when the byte budget is passed")
    func evictsLeastRecentlyUsed() {
        let clock = Clock()
        let cache = ResponseCache(maxBytes: 3 * (1_000 + 256), clock: { clock.now })
        for key in ["a", "b", "c"] {
            #expect(cache.join(key) { _ in })
            cache.complete(key, entry: entry(1_000, expires: 10_000))
        }
        #expect(cache.lookup("a") != nil)  // a is now the most recently used
        #expect(cache.join("d") { _ in })
        cache.complete("d", entry: entry(1_000, expires: 10_000))
        #expect(cache.lookup("b") == nil && cache.lookup("a") != nil && cache.lookup("c") != nil && cache.lookup("d") != nil)
        #expect(cache.usage.entries == 3 && cache.usage.bytes <= cache.maxBytes)
        #expect(cache.join("huge") { _ in })
        cache.complete("huge", entry: entry(10_000, expires: 10_000))  // bigger than the whole budget: not kept
        #expect(cache.lookup("huge") == nil && cache.usage.entries == 3)
    }

    @Test("entries expire at their time")
    func expires() {
        let clock = Clock()
        let cache = ResponseCache(clock: { clock.now })
        _ = cache.join("k") { _ in }
        cache.complete("k", entry: entry(10, expires: 2_000))
        clock.now = 1_999
        #expect(cache.lookup("k") != nil)
        clock.now = 2_000
        #expect(cache.lookup("k") == nil && cache.usage.entries == 0)
    }

    @Test("identical misses wait for the first and get its answer, or nil to fetch themselves")
    func coalesces() {
        let cache = ResponseCache()
        final class Seen: @unchecked Sendable { var answers: [Bool] = [] }
        let seen = Seen()
        #expect(cache.join("k") { _ in Issue.record("the leader is not a waiter") })
        #expect(!cache.join("k") { seen.answers.append($0 != nil) })
        #expect(!cache.join("k") { seen.answers.append($0 != nil) })
        cache.complete("k", entry: entry(10, expires: .max))
        #expect(seen.answers == [true, true])
        #expect(cache.join("n") { _ in })
        #expect(!cache.join("n") { seen.answers.append($0 != nil) })
        cache.complete("n", entry: nil)
        #expect(seen.answers == [true, true, false] && cache.join("n") { _ in })
    }

    @Test("the key ignores field order, stream, stream_options and user, and nothing else")
    func keys() throws {
        let a = try JSONParser.parse(#"{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":0,"user":"u1"}"#)
        let b = try JSONParser.parse(#"{"temperature":0,"stream":true,"stream_options":{"include_usage":true},"messages":[{"content":"hi","role":"user"}],"model":"m"}"#)
        let c = try JSONParser.parse(#"{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":1}"#)
        #expect(ResponseCache.key(route: "m", body: a) == ResponseCache.key(route: "m", body: b))
        #expect(ResponseCache.key(route: "m", body: a) != ResponseCache.key(route: "m", body: c))
        #expect(ResponseCache.key(route: "m", body: a) != ResponseCache.key(route: "other", body: a))
    }
}
