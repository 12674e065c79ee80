import Core
import HTTPKit
import HTTPServer
import Providers
import Routing
import Telemetry
import UpstreamClient

/// Runs one client request's attempts over its route group: the first deployment the health registry
/// admits, then, while nothing has reached the client, the next one after a retryable failure (connection
/// errors, timeouts, 429, 5xx, auth failures, a stream that died before its first event). A retry of the
/// same deployment waits a full-jitter backoff or the provider's `retry-after`. With hedging on, a first
/// attempt without a response head after `hedgeAfterMillis` gets a second one on the next deployment; the
/// first to answer claims the client and the other is cancelled. Every attempt's outcome feeds the
/// deployment's circuit breaker. Lives on the client connection's event loop.
final class FailoverCoordinator: @unchecked Sendable {
    // Safety: touched only on the event loop that serves the client connection.
    typealias Candidate = RouteCandidate

    /// Builds the relay context and upstream request for one candidate; throws when this candidate cannot
    /// take the request (e.g. a parameter its wire format lacks).
    typealias Prepare = (Candidate, _ attempt: Int) throws(GatewayError) -> (CompletionRelay.Context, WireRequest)

    /// Extra attempts after the first, across the candidates and on the same one, unless the route says otherwise.
    static let defaultRetries = 2
    /// The longest `retry-after` worth waiting for inside one request.
    static let maxRetryAfterMillis = 10_000

    let candidates: [Candidate]
    let prepare: Prepare
    let health: DeploymentHealth
    let limits: RateLimits
    let estimate: RoutePlanner.Estimate
    /// Tokens the request is expected to use (prompt estimate plus its output limit), charged to tpm limits up front.
    private lazy var estimatedTokens = estimate.promptTokens + estimate.outputTokens
    let backoff = Backoff()
    let upstream: UpstreamHTTPClient
    /// The loop's watch over streams for upstream silence.
    var idleWatch: StreamIdleWatch?
    let responder: HTTPResponder
    /// Closes the request's accounting and logs it.
    let completion: RequestCompletion
    let random: (ClosedRange<Int>) -> Int
    /// When the whole request must be over (all attempts and waits).
    let deadlineNanos: UInt64
    /// Extra attempts allowed after the first.
    let maxRetries: Int
    private(set) var history: [RequestAttempt] = []
    /// Called with the deployment that served the request successfully (session affinity pins it).
    var onSuccess: ((String) -> Void)?
    /// Start a second attempt when the first has no response head after this long (nil: no hedging).
    var hedgeAfterMillis: Int?
    /// For `stream_recovery: continue`: the request a cut stream is continued from (nil: no recovery).
    var recoveryRequest: ChatCompletionRequest?
    /// Sent after the partial answer, asking the next deployment to carry on from it.
    static let continueInstruction = "Your previous answer was cut off. Continue it exactly where it stopped, without repeating anything."
    private var nextCandidate = 0
    /// Attempts started so far (their numbers are 1...launched).
    private var launched = 0

    /// One attempt in flight: its relay, when it started and the rate limits it was charged to.
    private struct Running {
        let relay: CompletionRelay
        let startedNanos: UInt64
        let scope: RateLimits.Scope
    }

    private var running = RunningAttempts()

    /// The attempts in flight by number: almost always one, so a small array rather than a dictionary.
    private struct RunningAttempts: Sequence {
        private var items: [(number: Int, attempt: Running)] = []
        var isEmpty: Bool { items.isEmpty }
        var count: Int { items.count }
        var values: [Running] { items.map(\.attempt) }

        subscript(number: Int) -> Running? {
            get { items.first { $0.number == number }?.attempt }
            set {
                items.removeAll { $0.number == number }
                if let newValue { items.append((number, newValue)) }
            }
        }

        mutating func removeValue(forKey number: Int) -> Running? {
            defer { self[number] = nil }
            return self[number]
        }

        func makeIterator() -> IndexingIterator<[(number: Int, attempt: Running)]> { items.makeIterator() }
    }
    /// The attempt whose answer the client gets, once one has claimed it.
    private var winner: Int?

    init(candidates: [Candidate], prepare: @escaping Prepare, health: DeploymentHealth, limits: RateLimits, estimate: RoutePlanner.Estimate,
         upstream: UpstreamHTTPClient,
         responder: HTTPResponder, completion: RequestCompletion, deadlineNanos: UInt64, maxRetries: Int = defaultRetries,
         random: @escaping (ClosedRange<Int>) -> Int = { Int.random(in: $0) }) {
        self.maxRetries = maxRetries
        self.limits = limits
        self.estimate = estimate
        self.candidates = candidates
        self.prepare = prepare
        self.health = health
        self.upstream = upstream
        self.responder = responder
        self.completion = completion
        self.deadlineNanos = deadlineNanos
        self.random = random
    }

    /// Starts the first attempt; returns the error to answer with when no candidate can take the request.
    func start() -> GatewayError? {
        // A client that goes away cancels every attempt in flight.
        responder.onCancel { [self] in
            upstream.reactor.enqueue { [self] in for attempt in running.values { attempt.relay.cancelTransfer() } }
        }
        guard let error = launch() else {
            if let hedgeAfterMillis { scheduleHedge(afterMillis: hedgeAfterMillis) }
            return nil
        }
        return error
    }

    /// After `millis`, a first attempt still without a response head gets a second one on the next deployment.
    private func scheduleHedge(afterMillis millis: Int) {
        _ = upstream.reactor.scheduleTimer(afterMillis: millis) { [self] in
            guard winner == nil, running.count == 1, let first = running.values.first, !first.relay.receivedHead, !responder.isCancelled,
                  candidates.count > 1, candidates[nextCandidate % candidates.count].deployment.id != first.relay.context.deploymentID else { return }
            _ = launch()
        }
    }

    /// Whether the attempt numbered `attempt` may answer the client: the first to ask wins and every other
    /// attempt in flight is cancelled and recorded as lost.
    func claim(_ attempt: Int) -> Bool {
        if let winner { return winner == attempt }
        winner = attempt
        for (number, other) in running where number != attempt {
            running[number] = nil
            other.relay.abandon()
            health.record(other.relay.context.deploymentID, fingerprint: other.relay.context.providerFingerprint, .abandoned)
            settle(other.scope, actual: 0)
            var lost = RequestAttempt(number: number, provider: other.relay.context.providerName,
                                      upstreamModel: other.relay.context.upstreamModel, status: 0, outcome: "hedge_lost",
                                      latencyMillis: Int((Timestamp.monotonicNanos() - other.startedNanos) / 1_000_000))
            lost.deploymentID = other.relay.context.deploymentID
            lost.startedMillis = Int((other.startedNanos - other.relay.context.startedAtNanos) / 1_000_000)
            lost.error = "cancelled: another attempt answered first"
            history.append(lost)
        }
        return true
    }

    /// Tries the next candidate the registry admits (cycling through the group for retries). Returns the
    /// error for the client when none can be tried.
    private func launch() -> GatewayError? {
        var lastRefusal: GatewayError?
        var limitedFor: Int?
        var tried = 0
        while tried < candidates.count && launched <= maxRetries {
            let candidate = candidates[nextCandidate % candidates.count]
            nextCandidate += 1
            tried += 1
            let prepared: (CompletionRelay.Context, WireRequest)
            do {
                prepared = try prepare(candidate, launched + 1)
            } catch {
                lastRefusal = error
                continue
            }
            switch admit(candidate) {
            case .refused:
                continue
            case .limited(let wait):
                limitedFor = min(limitedFor ?? wait, wait)
                continue
            case .admitted(let scope):
                let (context, wire) = prepared
                context.failover = self
                begin(context, wire: wire, candidate: candidate, scope: scope)
                return nil
            }
        }
        if let lastRefusal { return lastRefusal }
        if let limitedFor {
            var error = GatewayError(status: 429, type: "rate_limit_error", code: "rate_limit_exceeded",
                                     message: "Every deployment that could serve this request is at its rate limit (rpm/tpm); retry later.")
            error.retryAfterSeconds = max(1, (limitedFor + 999) / 1000)
            return error
        }
        return GatewayError(status: 503, type: "api_error", code: "no_healthy_deployment",
                            message: "No deployment of this model can take the request now: every one is failing, "
                                + "rate limited or disabled (see /admin/v1/health).")
    }

    /// Whether a candidate may take an attempt now: its breaker and disable state, and every rate limit
    /// covering it (all or none; a deployment the breaker refuses is not charged).
    private enum AdmissionResult {
        case admitted(RateLimits.Scope)
        case limited(waitMillis: Int)
        case refused
    }

    private func admit(_ candidate: Candidate) -> AdmissionResult {
        let fingerprint = candidate.provider.healthFingerprint
        let scope = Self.scope(candidate)
        if !scope.limits.isEmpty {
            guard health.wouldAdmit(candidate.deployment.id, fingerprint: fingerprint) else { return .refused }
            if let wait = limits.acquire(scope, tokens: estimatedTokens) { return .limited(waitMillis: wait) }
        }
        guard health.admit(candidate.deployment.id, fingerprint: fingerprint) else {
            settle(scope, actual: 0)
            return .refused
        }
        return .admitted(scope)
    }

    /// Starts an admitted attempt (numbered next) and tracks it; a continuation writes into `writer`'s stream.
    private func begin(_ context: CompletionRelay.Context, wire: WireRequest, candidate: Candidate, scope: RateLimits.Scope,
                       continuing writer: (any ClientStreamWriter)? = nil) {
        launched += 1
        context.attempt = launched
        let relay = CompletionRelay(context: context, responder: responder, completion: completion, continuing: writer)
        running[context.attempt] = Running(relay: relay, startedNanos: Timestamp.monotonicNanos(), scope: scope)
        relay.start(wire, for: candidate, on: upstream, idleWatch: idleWatch)
    }

    /// Returns the tokens charged up front to `scope` less `actual` (nothing to do without limits).
    private func settle(_ scope: RateLimits.Scope, actual: Int) {
        guard !scope.limits.isEmpty else { return }
        limits.settle(scope, charged: estimatedTokens, actual: actual)
    }

    /// The rpm/tpm limits that cover a candidate: its provider's and its own.
    static func scope(_ candidate: Candidate) -> RateLimits.Scope {
        var scope = RateLimits.Scope()
        if candidate.provider.rpm != nil || candidate.provider.tpm != nil {
            scope.add("provider:" + candidate.provider.id, rpm: candidate.provider.rpm, tpm: candidate.provider.tpm)
        }
        if candidate.deployment.rpm != nil || candidate.deployment.tpm != nil {
            scope.add("deployment:" + candidate.deployment.id, rpm: candidate.deployment.rpm, tpm: candidate.deployment.tpm)
        }
        return scope
    }

    /// The attempt described by `context` failed before anything reached the client. Records it and, when
    /// another attempt fits, starts it (possibly after a wait) and returns true; false leaves the answer
    /// to the failed attempt.
    func failOver(from context: CompletionRelay.Context, outcome: AttemptOutcome, status: Int, reason: String, retryAfterMillis: Int?) -> Bool {
        let scope = running[context.attempt]?.scope ?? RateLimits.Scope()
        record(context, outcome: outcome, status: status, reason: reason)
        settle(scope, actual: 0)
        // Another attempt is still running (a hedge) or has already answered: it serves the client.
        if winner != nil || !running.isEmpty { return true }
        guard launched <= maxRetries, !responder.isCancelled else { return false }
        guard let (index, wait) = nextCandidate(after: context, retryAfterMillis: retryAfterMillis) else { return false }
        nextCandidate = index
        if wait == 0 { return launch() == nil }
        let pending = context
        _ = upstream.reactor.scheduleTimer(afterMillis: wait) { [self] in
            guard !responder.isCancelled else { return }
            if let error = launch() { finishWithoutAttempt(pending, error) }
        }
        return true
    }

    /// A stream cut after the client received `partialText`: records the failure and, when another attempt
    /// fits, starts a continuation on the next deployment (another one when the group has several) that
    /// writes into the same client stream with `writer`. False leaves the stream to end with an error event.
    func recover(from context: CompletionRelay.Context, partialText: String, writer: any ClientStreamWriter, reason: String) -> Bool {
        guard var request = recoveryRequest, launched <= maxRetries, !responder.isCancelled else { return false }
        let scope = running[context.attempt]?.scope ?? RateLimits.Scope()
        record(context, outcome: .failure(reason: reason), status: 200, reason: "stream_cut: " + reason)
        settle(scope, actual: 0)
        request.messages.append(ChatMessage(role: .assistant, content: [.text(partialText)]))
        request.messages.append(ChatMessage(role: .user, content: [.text(Self.continueInstruction)]))
        request.stream = true
        request.includeUsage = true
        for _ in 0..<candidates.count {
            let candidate = candidates[nextCandidate % candidates.count]
            nextCandidate += 1
            if candidate.deployment.id == context.deploymentID && candidates.count > 1 { continue }
            let translator = chatTranslator(for: candidate.provider.kind) ?? OpenAITranslator()
            guard let wire = try? translator.wireRequest(request, provider: candidate.provider, upstreamModel: candidate.deployment.upstreamModel),
                  case .admitted(let scope) = admit(candidate) else { continue }
            let next = context.copy()
            next.providerName = candidate.provider.name
            next.upstreamModel = candidate.deployment.upstreamModel
            next.deploymentID = candidate.deployment.id
            next.providerFingerprint = candidate.provider.healthFingerprint
            next.translator = translator
            next.hideUsageChunk = false
            winner = launched + 1
            begin(next, wire: wire, candidate: candidate, scope: scope, continuing: writer)
            return true
        }
        return false
    }

    /// The next candidate (cycling through the group) that the registry will admit once its wait is over,
    /// and that wait: none for another deployment, a backoff or the `retry-after` for the same one.
    private func nextCandidate(after context: CompletionRelay.Context, retryAfterMillis: Int?) -> (index: Int, wait: Int)? {
        let now = Timestamp.monotonicNanos()
        for offset in 0..<candidates.count {
            let index = nextCandidate + offset
            let candidate = candidates[index % candidates.count]
            var wait = 0
            if candidate.deployment.id == context.deploymentID {
                if let retryAfterMillis, retryAfterMillis > Self.maxRetryAfterMillis { continue }
                wait = backoff.delayMillis(attempt: launched - 1, retryAfterMillis: retryAfterMillis, random: random)
            }
            guard now + UInt64(wait) * 1_000_000 < deadlineNanos,
                  health.wouldAdmit(candidate.deployment.id, fingerprint: candidate.provider.healthFingerprint, afterMillis: wait) else { continue }
            return (index, wait)
        }
        return nil
    }

    /// Records the final attempt (the one whose answer the client gets) and completes the log row.
    func finish(_ context: CompletionRelay.Context, entry: inout RequestLogEntry) {
        let outcome: AttemptOutcome
        switch entry.status {
        case 200..<300: outcome = .success
        case 429: outcome = .rateLimited(retryAfterMillis: nil)
        case 400..<500 where entry.errorType != "provider_auth_failed": outcome = .success  // the request's fault, not the deployment's
        case 499: outcome = .success
        default: outcome = entry.errorType == "provider_auth_failed" ? .authFailure(reason: "the provider rejected the gateway's credentials")
                                                                      : .failure(reason: entry.errorType ?? "HTTP \(entry.status)")
        }
        if (200..<300).contains(entry.status) { onSuccess?(context.deploymentID) }
        if let attempt = running[context.attempt] {
            let offsetMillis = Int((attempt.startedNanos - context.startedAtNanos) / 1_000_000)
            record(context, outcome: outcome, status: entry.status, reason: entry.errorType ?? "ok", error: entry.errorMessage,
                   connectMillis: entry.connectMillis, ttftMillis: entry.timeToFirstTokenMillis.map { max(0, $0 - offsetMillis) })
            settle(attempt.scope, actual: (entry.inputTokens ?? 0) + (entry.outputTokens ?? 0))
        }
        history.sort { $0.number < $1.number }
        entry.attempts = history.count
        entry.attemptDetails = history
    }

    /// Records how the running attempt `context.attempt` ended (once).
    private func record(_ context: CompletionRelay.Context, outcome: AttemptOutcome, status: Int, reason: String, error: String? = nil,
                        connectMillis: Int? = nil, ttftMillis: Int? = nil) {
        guard let attempt = running.removeValue(forKey: context.attempt) else { return }
        let latency = Int((Timestamp.monotonicNanos() - attempt.startedNanos) / 1_000_000)
        health.record(context.deploymentID, fingerprint: context.providerFingerprint, outcome, latencyMillis: latency, ttftMillis: ttftMillis)
        var row = RequestAttempt(number: context.attempt, provider: context.providerName, upstreamModel: context.upstreamModel,
                                 status: status, outcome: reason, latencyMillis: latency)
        row.deploymentID = context.deploymentID
        row.error = error ?? (reason == "ok" ? nil : reason)
        row.connectMillis = connectMillis
        row.timeToFirstTokenMillis = ttftMillis
        row.startedMillis = Int((attempt.startedNanos - context.startedAtNanos) / 1_000_000)
        history.append(row)
    }

    /// After a wait no candidate could be tried: answer with why, and log the request with its attempts.
    private func finishWithoutAttempt(_ context: CompletionRelay.Context, _ error: GatewayError) {
        responder.respond(context.dialect.errorResponse(error, headers: .switchyard(requestID: context.requestID, attempts: history.count)))
        var entry = context.logEntry(status: error.status)
        entry.provider = nil
        entry.upstreamModel = nil
        entry.deploymentID = nil
        entry.fail(with: error)
        entry.attempts = history.count
        entry.attemptDetails = history
        completion.finish(entry)
    }
}
