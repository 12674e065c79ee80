import Core
import HTTPKit
import HTTPServer
import Providers
import Telemetry

/// The response cache on `/v1/chat/completions`: a hit is answered at once (replayed as a stream when the
/// client streams), costs nothing and is logged as a hit; a miss fetches with a `CacheSlot` that stores a
/// non-streamed answer for the route's TTL. `cache-control: no-cache` or `no-store` from the client skips
/// the cache for that request.
extension ChatCompletionsHandler {
    /// What to do about the cache for one request.
    enum CacheDecision {
        /// Not cached (route without caching, or the client said not to).
        case bypass
        /// Answered from the cache (or will be, by an identical request in flight).
        case answered
        /// Fetch, and share the answer through the slot.
        case fetch(CacheSlot)
    }

    /// Looks `request` up; `proceed` fetches it, with or without a slot (called later when this request
    /// waited for an identical one that had no answer to share).
    func consultCache(_ request: HTTPRequest, chat: ChatRequest, ttlSeconds: Int?, admission: Admission, responder: HTTPResponder,
                      proceed: @escaping (CacheSlot?) -> Void) -> CacheDecision {
        // A key that may not use the model is refused by admission, never answered from the cache.
        guard let ttlSeconds, let cache, (try? admission.caller.checkAllowed(chat.model)) != nil else { return .bypass }
        let control = request.headers["cache-control"]?.lowercased() ?? ""
        guard !control.contains("no-store"), !control.contains("no-cache"), let body = try? JSONParser.parse(request.body) else { return .bypass }
        let key = ResponseCache.key(route: chat.model, body: body)
        if let entry = cache.lookup(key) {
            serveHit(entry, chat: chat, admission: admission, responder: responder)
            return .answered
        }
        let reactor = upstream.reactor
        let fetch = LoopBound(proceed)
        let leader = cache.join(key) { entry in
            reactor.enqueue {
                if let entry {
                    self.serveHit(entry, chat: chat, admission: admission, responder: responder)
                } else {
                    fetch.value(nil)
                }
            }
        }
        return leader ? .fetch(CacheSlot(cache: cache, key: key, ttlSeconds: ttlSeconds)) : .answered
    }

    /// Answers from a cached entry and logs a free hit.
    func serveHit(_ entry: ResponseCache.Entry, chat: ChatRequest, admission: Admission, responder: HTTPResponder) {
        var headers = HTTPHeaders.switchyard(requestID: admission.requestID, provider: entry.provider, model: entry.upstreamModel,
                                             attempts: 0, cache: "hit")
        if chat.stream {
            let completion = entry.completion
            let writer = ClientDialect.openAI.streamWriter(id: completion.id, model: completion.model, created: completion.created,
                                                           includeUsage: chat.includeUsage)
            let chunks = completion.choices.map { choice in
                ChunkChoice(index: choice.index, role: .assistant, content: choice.text,
                            toolCalls: choice.toolCalls.enumerated().map { ToolCallDelta(index: $0.offset, id: $0.element.id, name: $0.element.name,
                                                                                         arguments: $0.element.arguments) })
            } + completion.choices.map { ChunkChoice(index: $0.index, finishReason: $0.finishReason) }
            let events = writer.encode(chunks.map { ChatCompletionChunk(id: completion.id, model: completion.model, created: completion.created,
                                                                        choices: [$0]) })
            headers.add("content-type", "text/event-stream")
            headers.add("cache-control", "no-cache")
            responder.respond(HTTPResponse(status: 200, headers: headers, body: events + writer.finish(usage: completion.usage)))
        } else {
            headers.add("content-type", "application/json")
            headers.add("x-switchyard-cost-usd", "0")
            responder.respond(HTTPResponse(status: 200, headers: headers, body: entry.body))
        }
        var row = admission.entry(model: chat.model, status: 200)
        row.provider = entry.provider
        row.upstreamModel = entry.upstreamModel
        row.deploymentID = entry.deploymentID
        row.stream = chat.stream
        row.cacheHit = true
        row.inputTokens = entry.completion.usage?.inputTokens
        row.outputTokens = entry.completion.usage?.outputTokens
        row.timeToFirstTokenMillis = row.latencyMillis
        requestLog.record(row)
    }
}

/// A closure of the loop serving a request, carried through another thread and run back on that loop.
final class LoopBound<Value>: @unchecked Sendable {
    // Safety: `value` is only used on the loop that made it (the waiter re-enqueues onto that loop first).
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// A cache miss being fetched: holds the answer to share (set by the relay on a non-streamed success) and
/// hands it to the cache and any identical requests waiting, once, when the request ends (or is dropped).
final class CacheSlot: @unchecked Sendable {
    // Safety: used on the event loop serving the request only.
    let cache: ResponseCache
    let key: String
    let ttlSeconds: Int
    private var answer: ResponseCache.Entry?
    private var completed = false

    init(cache: ResponseCache, key: String, ttlSeconds: Int) {
        self.cache = cache
        self.key = key
        self.ttlSeconds = ttlSeconds
    }

    /// Keeps a successful non-streamed answer to share.
    func keep(body: [UInt8], provider: String, upstreamModel: String, deploymentID: String) {
        guard let completion = try? OpenAITranslator().completion(from: body, model: upstreamModel, fallbackID: "", providerName: provider) else { return }
        answer = ResponseCache.Entry(body: body, completion: completion, provider: provider, upstreamModel: upstreamModel,
                                     deploymentID: deploymentID, expiresAtMillis: cache.clock() + Int64(ttlSeconds) * 1000)
    }

    /// Stores the answer (if any) and releases the waiters.
    func complete() {
        guard !completed else { return }
        completed = true
        cache.complete(key, entry: answer)
    }

    deinit { complete() }
}
