import Core
import Dispatch
import HTTPKit
import HTTPServer
import Synchronization

/// Paces one SSE stream: a chunk every `intervalMillis`, then usage and `[DONE]`; honours faults and client disconnects.
final class MockStream: Sendable {
    let completion: MockCompletion
    let behaviour: MockBehaviour
    let responder: HTTPResponder
    let stats: MockStats
    let timers: DispatchQueue
    private let finished = Atomic<Bool>(false)
    /// When chunk 0 went out; chunk k is due at `start + k * interval`, so timer jitter never accumulates.
    private let startedAt = DispatchTime.now()

    init(completion: MockCompletion, behaviour: MockBehaviour, responder: HTTPResponder, stats: MockStats, timers: DispatchQueue) {
        self.completion = completion
        self.behaviour = behaviour
        self.responder = responder
        self.stats = stats
        self.timers = timers
    }

    func start() {
        stats.update { $0.streamsStarted += 1 }
        responder.onCancel { [self] in
            if finished.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged { stats.update { $0.streamsAborted += 1 } }
        }
        responder.startStream(status: 200, headers: HTTPHeaders([("content-type", "text/event-stream"), ("cache-control", "no-cache")]))
        if behaviour.fault == .stall { return }
        send(0)
    }

    /// Sends chunk `index` and schedules the next; with no interval it sends them all in a loop.
    private func send(_ index: Int) {
        var index = index
        while !finished.load(ordering: .relaxed) {
            if behaviour.fault == .drop && index >= max(1, completion.chunkCount / 2) {
                if finished.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged { stats.update { $0.streamsAborted += 1 } }
                responder.abort()
                return
            }
            guard index <= completion.chunkCount else { break }
            responder.write(SSEEvent(data: JSONWriter.string(completion.chunk(index))).encoded)
            index += 1
            if behaviour.intervalMillis > 0 {
                let next = index
                let due = DispatchTime(uptimeNanoseconds: startedAt.uptimeNanoseconds + UInt64(next * behaviour.intervalMillis) * 1_000_000)
                timers.asyncAfter(deadline: due) { [self] in send(next) }
                return
            }
        }
        guard !finished.load(ordering: .relaxed) else { return }
        if completion.includeUsage { responder.write(SSEEvent(data: JSONWriter.string(completion.usageChunk)).encoded) }
        responder.write(SSEEvent(data: "[DONE]").encoded)
        responder.finishStream()
        if finished.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged { stats.update { $0.streamsCompleted += 1 } }
    }
}
