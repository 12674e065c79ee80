import Core
import HTTPKit
import HTTPServer
import Providers
import Routing
import Telemetry
import UpstreamClient

/// Carries one upstream answer to the client: whole, or as an SSE stream relayed event by event with
/// backpressure; cancels the upstream transfer when the client goes away; writes the request-log row.
/// Its callbacks run on the event loop that serves the client connection.
final class CompletionRelay: UpstreamDelegate, IdleWatchedStream, @unchecked Sendable {
    // Safety: mutable state is touched only on the connection's event loop (delegate callbacks and the
    // `whenWritable`/`onCancel` closures, which only call thread-safe transfer methods).
    /// One attempt's facts; a class so the per-request hand-offs pass a reference, not a large copy.
    final class Context: @unchecked Sendable {
        // Safety: built and read on the connection's event loop only.
        let ids: RequestIDs
        /// What the client's response carries in `x-request-id` (and the upstream request, and ids made up for an answer).
        var requestID: String { ids.response }
        let createdAtMillis: Int64
        let startedAtNanos: UInt64
        let publicModel: String
        var providerName: String
        var upstreamModel: String
        let stream: Bool
        /// The deployment this attempt goes to, and its provider's fingerprint (for the health registry).
        var deploymentID = ""
        var providerFingerprint = ""
        /// This attempt's number (1 for the first).
        var attempt = 1
        /// Runs the request's attempts; absent when there is nothing to fail over to.
        var failover: FailoverCoordinator?
        /// The gateway asked for the final usage chunk; the client did not, so it is not forwarded.
        var hideUsageChunk = false
        /// The provider's wire family when it is not OpenAI's; answers are translated, not relayed as they came.
        var translator: (any ChatTranslator)? = nil
        /// The client asked for a final usage chunk (`stream_options.include_usage`).
        var includeUsage = false
        /// The API the client speaks; answers are translated into it.
        var dialect = ClientDialect.openAI
        /// For an embeddings request to a provider with its own embeddings API: how to read its answer.
        var embeddings: (translator: any EmbeddingsTranslator, base64: Bool)?
        /// For the log row: the API called, the trace, the deployment's prices, and the time from arrival to the
        /// first attempt (set when that attempt starts).
        var endpoint = "chat"
        var trace: TraceContext?
        /// The price in force when the request arrived; nil for an unpriced deployment.
        var pricing: Pricing?
        var queueMillis: Int?

        init(ids: RequestIDs, createdAtMillis: Int64, startedAtNanos: UInt64, publicModel: String, providerName: String,
             upstreamModel: String, stream: Bool) {
            self.ids = ids
            self.createdAtMillis = createdAtMillis
            self.startedAtNanos = startedAtNanos
            self.publicModel = publicModel
            self.providerName = providerName
            self.upstreamModel = upstreamModel
            self.stream = stream
        }

        /// An independent copy, for the next attempt of the same request.
        func copy() -> Context {
            let copy = Context(ids: ids, createdAtMillis: createdAtMillis, startedAtNanos: startedAtNanos, publicModel: publicModel,
                               providerName: providerName, upstreamModel: upstreamModel, stream: stream)
            copy.deploymentID = deploymentID
            copy.providerFingerprint = providerFingerprint
            copy.attempt = attempt
            copy.failover = failover
            copy.hideUsageChunk = hideUsageChunk
            copy.translator = translator
            copy.includeUsage = includeUsage
            copy.dialect = dialect
            copy.embeddings = embeddings
            copy.endpoint = endpoint
            copy.trace = trace
            copy.pricing = pricing
            copy.queueMillis = queueMillis
            return copy
        }

        /// A log row for this attempt's request, before its outcome is known.
        func logEntry(status: Int) -> RequestLogEntry {
            RequestLogEntry(id: ids.log, createdAtMillis: createdAtMillis, model: publicModel, provider: providerName,
                            upstreamModel: upstreamModel, status: status, stream: stream, attempts: 1,
                            latencyMillis: Int((Timestamp.monotonicNanos() - startedAtNanos) / 1_000_000), endpoint: endpoint,
                            deploymentID: deploymentID, queueMillis: queueMillis, clientRequestID: ids.client, traceID: trace?.traceID)
        }
    }

    /// The largest non-streamed upstream body accepted.
    static let maxBodyBytes = 32 * 1024 * 1024

    let context: Context
    let responder: HTTPResponder
    let completion: RequestCompletion
    private var transfer: UpstreamTransfer?
    private var status = 0
    /// The upstream's `retry-after` on an error answer, passed on with a 429 or 503.
    private var retryAfter: String?
    private var relaying = false
    /// The client's stream has started: from here on a failure can no longer fail over.
    private var streamStarted = false
    /// The upstream's response head arrived (a hedge is no longer needed).
    private(set) var receivedHead = false
    /// Another attempt answered the client first: this one was cancelled and stays silent.
    private var abandoned = false
    /// The stream-idle watchdog: the longest allowed gap, when data last came, whether the upstream is
    /// paused for a slow client (not idle then), and the loop's watch that checks it.
    private var streamIdleMillis = 0
    private var lastDataNanos: UInt64 = 0
    private var paused = false
    private var idleWatch: StreamIdleWatch?
    /// Where `idleWatch` keeps this relay while it watches it.
    var idleWatchSlot: Int?
    private var body: [UInt8] = []
    private var splitter = SSEEventSplitter()
    private var usage: TokenUsage?
    private var sawDone = false
    private var firstTokenNanos: UInt64?
    private var streamFailure: String?
    /// A translated stream's decoder, once the stream started; and the error it reported, if any.
    private var decoder: (any ChatStreamDecoder)?
    private var decoderError: GatewayError?
    /// Encodes the client's stream (translated chunks, its end or its error) in the client's dialect.
    private lazy var writer: any ClientStreamWriter = inheritedWriter ?? context.dialect.streamWriter(
        id: context.requestID, model: context.upstreamModel, created: Int(context.createdAtMillis / 1000),
        includeUsage: context.includeUsage && context.translator != nil)
    /// A continuation (`stream_recovery: continue`) writes into the client stream an earlier attempt started.
    private let inheritedWriter: (any ClientStreamWriter)?
    /// For stream recovery: the answer text the client has received so far, and whether a tool call was
    /// streamed (which cannot be continued).
    private var collectText = false
    private(set) var partialText = ""
    private var sawToolCall = false
    /// When this attempt's upstream request started.
    private(set) var attemptStartedNanos: UInt64 = 0

    init(context: Context, responder: HTTPResponder, completion: RequestCompletion, continuing writer: (any ClientStreamWriter)? = nil) {
        self.inheritedWriter = writer
        self.streamStarted = writer != nil
        self.context = context
        self.responder = responder
        self.completion = completion
    }

    /// Sends `wire` to the candidate's provider with the provider's timeouts (read through the shared candidate: a copy of
    /// the provider's settings retains each of its strings).
    func start(_ wire: WireRequest, for candidate: RouteCandidate, on client: UpstreamHTTPClient, idleWatch: StreamIdleWatch? = nil) {
        var upstreamHeaders = wire.headers
        // The same id in the provider's logs as in ours, for tracing one request across both.
        upstreamHeaders.add("x-request-id", context.requestID)
        if let trace = context.trace { upstreamHeaders.add("traceparent", trace.childTraceparent()) }
        upstreamHeaders.add("user-agent", "switchyard")
        attemptStartedNanos = Timestamp.monotonicNanos()
        if context.queueMillis == nil { context.queueMillis = Int((attemptStartedNanos - context.startedAtNanos) / 1_000_000) }
        let request = UpstreamRequest(method: "POST", url: wire.url, headers: upstreamHeaders, body: wire.body,
                                      connectTimeoutMillis: candidate.provider.timeouts.connectMillis,
                                      firstByteTimeoutMillis: candidate.provider.timeouts.firstByteMillis,
                                      totalTimeoutMillis: candidate.provider.timeouts.totalMillis, caFile: candidate.provider.caFile)
        streamIdleMillis = candidate.provider.timeouts.streamIdleMillis
        collectText = context.stream && context.failover?.recoveryRequest != nil
        self.idleWatch = idleWatch
        transfer = client.start(request, delegate: self)
    }

    /// Cancels the upstream transfer (the client went away); the relay still logs the request.
    func cancelTransfer() { transfer?.cancel() }

    /// Cancels the upstream transfer because another attempt serves the client; nothing more is sent or logged.
    func abandon() {
        abandoned = true
        transfer?.cancel()
    }

    /// Whether this attempt may answer the client (the first attempt to ask does; see `FailoverCoordinator.claim`).
    private func claimClient() -> Bool {
        guard !abandoned else { return false }
        guard let coordinator = context.failover, !coordinator.claim(context.attempt) else { return true }
        abandon()
        return false
    }

    var headers: HTTPHeaders {
        .switchyard(requestID: context.requestID, provider: context.providerName, model: context.upstreamModel, attempts: context.attempt)
    }

    func upstreamDidReceiveHead(status: Int, headers upstreamHeaders: HTTPHeaders) {
        self.status = status
        receivedHead = true
        if status >= 400, let value = upstreamHeaders["retry-after"], Self.isSaneRetryAfter(value) { retryAfter = value }
        if let coordinator = context.failover, let quota = QuotaSignal.read(nowMillis: Timestamp.nowMillis(), upstreamHeaders.fields) {
            coordinator.health.noteLowQuota(context.deploymentID, forMillis: quota.resetMillis)
        }
        guard context.stream, status == 200 else { return }
        if let translator = context.translator {
            decoder = translator.streamDecoder(model: context.upstreamModel, fallbackID: context.requestID, providerName: context.providerName)
        } else if upstreamHeaders["content-type"]?.hasASCIICaseInsensitivePrefix("text/event-stream") != true {
            return
        }
        relaying = true
        lastDataNanos = Timestamp.monotonicNanos()
        idleWatch?.watch(self)
    }

    /// Called by the loop's idle watch: ends a stream that sent nothing for `streamIdleMillis` (time paused
    /// for a slow client does not count). Returns true once the stream no longer needs watching.
    func checkIdle(now: UInt64) -> Bool {
        guard let transfer else { return true }
        if paused {
            lastDataNanos = now
            return false
        }
        guard now > lastDataNanos, Int((now - lastDataNanos) / 1_000_000) >= streamIdleMillis else { return false }
        streamFailure = "no data from the upstream for \(streamIdleMillis) ms"
        transfer.cancel()
        return true
    }

    /// The slow client caught up: read the upstream again.
    private func resumeUpstream() {
        paused = false
        lastDataNanos = Timestamp.monotonicNanos()
        transfer?.resume()
    }

    /// Sends bytes of the client's stream, starting it first: the stream head waits for the first bytes so
    /// that an upstream failing before any event can still fail over.
    private func send(_ bytes: [UInt8]) {
        if !streamStarted {
            guard claimClient() else { return }
            streamStarted = true
            var head = headers
            head.add("content-type", "text/event-stream")
            head.add("cache-control", "no-cache")
            responder.startStream(status: 200, headers: head)
        }
        responder.write(bytes)
    }

    func upstreamDidReceive(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard !abandoned else { return true }
        guard relaying else {
            guard body.count + bytes.count <= Self.maxBodyBytes else {
                streamFailure = "upstream response larger than \(Self.maxBodyBytes) bytes"
                transfer?.cancel()
                return true
            }
            body.append(contentsOf: bytes)
            return true
        }
        lastDataNanos = Timestamp.monotonicNanos()
        if !responder.isWritable {
            paused = true
            responder.whenWritable { [weak self] in self?.resumeUpstream() }
            return false
        }
        if let decoder {
            do {
                write(try decoder.feed(bytes))
            } catch {
                decoderError = error
                transfer?.cancel()
            }
            return true
        }
        // Everything this read completes leaves as one chunk: one send per upstream read, not per event, in a
        // buffer sized for the read (it grew event by event, reallocating as it went).
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        do {
            try splitter.feed(bytes, run: { run in relay(run: run, into: &out) }, event: { event in relay(event, into: &out) })
        } catch {
            streamFailure = "upstream stream event exceeded \(splitter.maxEventBytes) bytes"
            transfer?.cancel()
        }
        if !out.isEmpty { send(out) }
        return true
    }

    /// Sends translated chunks as one piece of the client's stream.
    private func write(_ chunks: [ChatCompletionChunk]) {
        var chunks = chunks
        if inheritedWriter != nil {
            // A continuation joins a stream already under way: no second role opener, no empty pieces.
            chunks = chunks.compactMap { chunk in
                var chunk = chunk
                chunk.choices = chunk.choices.filter { !($0.content ?? "").isEmpty || !$0.toolCalls.isEmpty || $0.finishReason != nil }
                for index in chunk.choices.indices { chunk.choices[index].role = nil }
                return chunk.choices.isEmpty && chunk.usage == nil ? nil : chunk
            }
        }
        if collectText {
            for choice in chunks.flatMap(\.choices) where choice.index == 0 {
                partialText += choice.content ?? ""
                if !choice.toolCalls.isEmpty { sawToolCall = true }
            }
        }
        guard !chunks.isEmpty else { return }
        if firstTokenNanos == nil { firstTokenNanos = Timestamp.monotonicNanos() }
        let out = writer.encode(chunks)
        if !out.isEmpty { send(out) }
    }

    /// Forwards a run of whole events (each ending at a "\n\n") in one piece, checked for UTF-8 at once, except the
    /// few a relay must look into (a possible `[DONE]` or usage object), which go through `relay(_:into:)`. A 22-event
    /// read cost 22 event calls, 44 line searches and 22 searches for `"usage"`; a run costs one of each. A run that is
    /// not valid UTF-8, or that needs each event looked at (recovery keeps the text; a leading comment is not the first
    /// token), is relayed event by event, so the events before a bad one still leave.
    private func relay(run: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        guard streamFailure == nil else { return }
        guard !collectText, firstTokenNanos != nil || run.first != UInt8(ascii: ":"), UTF8Check.isValid(run) else {
            _ = SSEEventSplitter.split(run) { event in relay(event, into: &out) }
            return
        }
        if firstTokenNanos == nil { firstTokenNanos = Timestamp.monotonicNanos() }
        var forwarded = 0
        while let offset = Self.nextEventToInspect(in: run, from: forwarded) {
            let event = SSEEventSplitter.lfEvent(around: offset, in: run, from: forwarded)
            out.appendBytes(UnsafeRawBufferPointer(rebasing: run[forwarded..<event.lowerBound]))
            relay(UnsafeRawBufferPointer(rebasing: run[event]), into: &out)
            forwarded = event.upperBound
        }
        out.appendBytes(UnsafeRawBufferPointer(rebasing: run[forwarded...]))
    }

    /// The first byte at or after `from` of an event the relay must look into: a `[DONE]` or a usage object.
    static func nextEventToInspect(in run: UnsafeRawBufferPointer, from: Int) -> Int? {
        let done = ByteSearch.firstOffset(of: "[DONE]", anchor: 1, in: run, from: from)  // its `D`, rare in JSON chunks
        let usage = OpenAIAdapter.firstUsageObjectKey(in: run, from: from)
        guard let done, let usage else { return done ?? usage }
        return min(done, usage)
    }

    /// Forwards one raw event unless it is the upstream's `[DONE]` (the relay sends its own) or the usage
    /// chunk the client did not ask for; only events that may carry usage are decoded. An event that is not
    /// valid UTF-8 ends the stream with an error.
    private func relay(_ event: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        guard streamFailure == nil else { return }
        // Relayed without decoding, but never as bytes a client's JSON parser would choke on.
        guard UTF8Check.isValid(event) else {
            streamFailure = "an upstream stream event is not valid UTF-8"
            transfer?.cancel()
            return
        }
        if SSEPayload.isDone(event) {
            sawDone = true
            return
        }
        let isComment = event.first == UInt8(ascii: ":")
        if firstTokenNanos == nil && !isComment { firstTokenNanos = Timestamp.monotonicNanos() }
        if collectText && !isComment, let delta = (try? JSONParser.parse(SSEPayload.data(of: event)))?["choices"]?.arrayValue?.first?["delta"] {
            partialText += delta["content"]?.stringValue ?? ""
            if delta["tool_calls"] != nil { sawToolCall = true }
        }
        if !isComment && OpenAIAdapter.mayCarryUsage(event), let scan = try? JSONObjectScan(SSEPayload.data(of: event)),
           let found = OpenAIAdapter.usage(in: scan) {
            usage = found
            if context.hideUsageChunk && scan.arrayIsEmpty("choices") == true { return }
        }
        out.appendBytes(event)
    }

    func upstreamDidFinish(_ result: Result<UpstreamMetrics, UpstreamError>) {
        transfer = nil  // the transfer holds this relay as its delegate: break the cycle
        idleWatch?.unwatch(self)  // and the watch holds it while it streams
        guard !abandoned else { return }
        var entry = context.logEntry(status: status)
        if case .success(let metrics) = result { entry.connectMillis = metrics.connectMicros / 1000 }
        // A later attempt answers instead (a failover, a recovery, another attempt first): not the request's row.
        guard settle(result, entry: &entry) else { return }
        context.failover?.finish(context, entry: &entry)
        completion.finish(consume entry)
    }

    /// Answers the client with this attempt's outcome and completes its log row; false when another attempt
    /// answers instead.
    private func settle(_ result: Result<UpstreamMetrics, UpstreamError>, entry: inout RequestLogEntry) -> Bool {
        if responder.isCancelled {
            guard claimClient() else { return false }
            entry.status = 499
            entry.errorType = "client_disconnected"
            entry.errorMessage = "The client closed the connection before the answer was complete."
            entry.charge(usage, at: context.pricing)
            entry.timeToFirstTokenMillis = firstTokenMillis
            return true
        }
        if relaying && !streamStarted && failOverStream(result) {
            return false
        }
        if relaying {
            guard streamStarted || claimClient() else { return false }
            if let decoder {
                finishTranslatedStream(decoder)
            } else {
                var out: [UInt8] = []
                splitter.finish { event in relay(event, into: &out) }
                if !out.isEmpty { send(out) }
            }
            if collectText && !sawToolCall, let failure = failureDescription(result), let coordinator = context.failover,
               coordinator.recover(from: context, partialText: partialText, writer: writer, reason: decoderError?.code ?? failure) {
                return false
            }
            finishStream(result, entry: &entry)
            return true
        }
        switch result {
        case .failure(let error):
            let failure = streamFailure.map { GatewayError(status: 502, type: "api_error", code: "upstream_error",
                                                            message: "Provider '\(context.providerName)': \($0).") }
                ?? gatewayError(for: error)
            if error != .cancelled, failOver(.failure(reason: failure.code ?? "upstream error"), status: 0, reason: failure.code ?? "error") {
                return false
            }
            guard claimClient() else { return false }
            entry.fail(with: failure)
            responder.respond(context.dialect.errorResponse(failure, headers: headers))
        case .success(let metrics):
            entry.timeToFirstTokenMillis = Int((attemptStartedNanos - context.startedAtNanos) / 1_000_000) + metrics.firstByteMicros / 1000
            if (200..<300).contains(status) {
                // An answer that cannot be read (malformed JSON, an untranslatable body) fails over like an error.
                let answer = decodeAnswer()
                if case .failure(let error) = answer, failOver(.failure(reason: error.code ?? "malformed_response"), status: status,
                                                                reason: error.code ?? "malformed_response") {
                    return false
                }
                guard claimClient() else { return false }
                switch answer {
                case .success(let answer):
                    entry.charge(answer.usage, at: context.pricing)
                    if completion.caller.key?.logBodies == true { entry.responseBody = RequestCompletion.loggable(answer.body) }
                    if !context.stream, status == 200 {
                        completion.cacheSlot?.keep(body: answer.body, provider: context.providerName, upstreamModel: context.upstreamModel,
                                                   deploymentID: context.deploymentID)
                    }
                    var head = headers
                    head.add("content-type", "application/json")
                    // What the answer cost, exactly (an unpriced deployment's cost is unknown: said so, not zero).
                    if entry.unpriced { head.add("x-switchyard-unpriced", "true") } else { head.add("x-switchyard-cost-usd", entry.cost.description) }
                    responder.respond(HTTPResponse(status: status, headers: head, body: answer.body))
                case .failure(let error):
                    entry.fail(with: error)
                    responder.respond(context.dialect.errorResponse(error, headers: headers))
                }
            } else {
                let failure = context.translator?.error(status: status, body: body, providerName: context.providerName)
                    ?? OpenAIAdapter.error(status: status, body: body, providerName: context.providerName)
                if let outcome = Self.retryableOutcome(status: status, failure: failure, retryAfter: retryAfter),
                   failOver(outcome, status: status, reason: failure.code ?? failure.type) {
                    return false
                }
                guard claimClient() else { return false }
                entry.fail(with: failure)
                var head = headers
                if let retryAfter, failure.status == 429 || failure.status == 503 { head.add("retry-after", retryAfter) }
                responder.respond(context.dialect.errorResponse(failure, headers: head))
            }
        }
        return true
    }

    /// A successful answer as the client gets it, and the tokens it reports.
    struct Answer {
        let body: [UInt8]
        let usage: TokenUsage?
    }

    /// The client's body for a successful upstream answer and the tokens it reports: translated for other
    /// wire families and embeddings APIs, checked and forwarded as it came for OpenAI-format chat.
    private func decodeAnswer() -> Result<Answer, GatewayError> {
        do throws(GatewayError) {
            if let embeddings = context.embeddings {
                let result = try embeddings.translator.result(from: body, providerName: context.providerName)
                return .success(Answer(body: JSONWriter.encode(result.openAIJSON(model: context.upstreamModel, base64: embeddings.base64)),
                                       usage: TokenUsage(inputTokens: result.inputTokens, outputTokens: 0)))
            }
            if let translator = context.translator {
                let completion = try translator.completion(from: body, model: context.upstreamModel, fallbackID: context.requestID,
                                                           providerName: context.providerName)
                return .success(Answer(body: context.dialect.completionBody(completion), usage: completion.usage))
            }
            let checked = try OpenAIAdapter.checkedAnswer(body, providerName: context.providerName)
            return .success(Answer(body: checked.body, usage: checked.usage))
        } catch {
            return .failure(error)
        }
    }

    /// Flushes a translated stream: chunks still held, and whether the provider's end marker arrived.
    private func finishTranslatedStream(_ decoder: any ChatStreamDecoder) {
        do {
            write(try decoder.finish())
        } catch {
            decoderError = decoderError ?? error
        }
        usage = decoder.usage
        sawDone = decoder.isComplete && decoderError == nil
    }

    private func finishStream(_ result: Result<UpstreamMetrics, UpstreamError>, entry: inout RequestLogEntry) {
        entry.charge(usage, at: context.pricing)
        entry.timeToFirstTokenMillis = firstTokenMillis
        let failure = failureDescription(result)
        if let error = decoderError {
            // The provider reported an error mid-stream (or sent something untranslatable): pass on what it said.
            send(writer.fail(error))
            entry.fail(with: error)
        } else if let failure {
            let error = GatewayError(status: 502, type: "api_error", code: "upstream_stream_interrupted",
                                     message: "Provider '\(context.providerName)' stream failed: \(failure).")
            send(writer.fail(error))
            entry.fail(with: error)
        } else {
            send(writer.finish(usage: usage))
        }
        responder.finishStream()
    }

    /// From the request's arrival to the first event relayed, for streams.
    private var firstTokenMillis: Int? { firstTokenNanos.map { Int(($0 - context.startedAtNanos) / 1_000_000) } }

    /// Why a relayed stream did not end cleanly, or nil when it did.
    private func failureDescription(_ result: Result<UpstreamMetrics, UpstreamError>) -> String? {
        if let streamFailure { return streamFailure }
        if case .failure(let error) = result { return error.description }
        if let decoderError { return decoderError.message }
        return sawDone ? nil : "the upstream stream ended before its end marker"
    }

    /// Hands the request to its next attempt when this one failed before the client saw anything.
    private func failOver(_ outcome: AttemptOutcome, status: Int, reason: String) -> Bool {
        guard let coordinator = context.failover, !responder.isCancelled else { return false }
        return coordinator.failOver(from: context, outcome: outcome, status: status, reason: reason,
                                    retryAfterMillis: Backoff.retryAfterMillis(retryAfter))
    }

    /// A stream that ended or failed before its first event reached the client fails over like any error.
    private func failOverStream(_ result: Result<UpstreamMetrics, UpstreamError>) -> Bool {
        let complete = decoder.map { $0.isComplete } ?? sawDone
        if case .failure(.cancelled) = result, decoderError == nil, streamFailure == nil { return false }
        if case .success = result, complete, decoderError == nil { return false }
        let reason = decoderError?.code ?? streamFailure ?? "stream_failed_before_first_event"
        if let error = decoderError, error.status < 500 && error.status != 429 { return false }
        return failOver(.failure(reason: reason), status: status, reason: reason)
    }

    /// How a failed upstream answer counts, when another attempt may serve the request instead: server
    /// errors and overload, 429 (with its `retry-after`), and rejected credentials (which disable the
    /// deployment). Other 4xx are the request's fault and go back to the client as they are.
    static func retryableOutcome(status: Int, failure: GatewayError, retryAfter: String?) -> AttemptOutcome? {
        switch status {
        case 401, 403: return .authFailure(reason: "the provider rejected the gateway's credentials (HTTP \(status))")
        case 408, 429: return status == 429 ? .rateLimited(retryAfterMillis: Backoff.retryAfterMillis(retryAfter)) : .failure(reason: "HTTP 408")
        case 500...599: return .failure(reason: "HTTP \(status)")
        default: return failure.code == "provider_auth_failed" ? .authFailure(reason: "the provider rejected the gateway's credentials") : nil
        }
    }

    /// Delay-seconds or an HTTP-date: printable ASCII, short.
    static func isSaneRetryAfter(_ value: String) -> Bool {
        !value.isEmpty && value.utf8.count <= 40 && value.utf8.allSatisfy { $0 >= 32 && $0 < 127 }
    }

    private func gatewayError(for error: UpstreamError) -> GatewayError {
        switch error {
        case .connectFailed, .transport:
            return GatewayError(status: 502, type: "api_error", code: "upstream_unreachable",
                                message: "Provider '\(context.providerName)' could not be reached: \(error).")
        case .invalidResponse(let why):
            return GatewayError(status: 502, type: "api_error", code: "upstream_response_invalid",
                                message: "Provider '\(context.providerName)' sent an invalid response: \(why).")
        case .connectTimeout, .firstByteTimeout, .totalTimeout:
            return GatewayError(status: 504, type: "api_error", code: "upstream_timeout",
                                message: "Provider '\(context.providerName)' timed out: \(error).")
        case .cancelled:
            return GatewayError(status: 502, type: "api_error", code: "upstream_cancelled", message: "The upstream request was cancelled.")
        }
    }
}
