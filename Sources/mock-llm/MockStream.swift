import Core
import HTTPKit
import HTTPServer
import Synchronization

/// Paces one stream (SSE, or NDJSON for Ollama): an event every `intervalMillis`, then the trailer (usage, end marker)
/// at once and the end of the body, as providers do; honours faults and client disconnects.
final class MockStream: Sendable {
    let events: [[UInt8]]
    /// Events at the end sent together with the last paced one.
    let trailing: Int
    let behaviour: MockBehaviour
    let responder: HTTPResponder
    let stats: MockStats
    let contentType: String
    private let finished = Atomic<Bool>(false)
    /// When chunk 0 went out; chunk k is due at `start + k * interval`, so timer jitter never accumulates.
    private let startedAt = Timestamp.monotonicNanos()

    init(events: [[UInt8]], trailing: Int, contentType: String, behaviour: MockBehaviour, responder: HTTPResponder, stats: MockStats) {
        self.events = events
        self.trailing = trailing
        self.contentType = contentType
        self.behaviour = behaviour
        self.responder = responder
        self.stats = stats
    }

    func start() {
        stats.update { $0.streamsStarted += 1 }
        responder.onCancel { [self] in
            if finished.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged { stats.update { $0.streamsAborted += 1 } }
        }
        responder.startStream(status: 200, headers: HTTPHeaders([("content-type", contentType), ("cache-control", "no-cache")]))
        if behaviour.fault == .stall { return }
        send(0)
    }

    /// Sends event `index` and schedules the next paced one; the trailer and the body's end follow the last paced event at
    /// once. With no interval it sends them all in a loop.
    private func send(_ index: Int) {
        var index = index
        while !finished.load(ordering: .relaxed) {
            if behaviour.fault == .drop && index >= max(1, events.count / 2) {
                if finished.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged { stats.update { $0.streamsAborted += 1 } }
                responder.abort()
                return
            }
            guard index < events.count else { break }
            responder.write(events[index])
            index += 1
            if behaviour.intervalMillis > 0 && index < events.count - trailing {
                let next = index
                let due = startedAt + UInt64(next * behaviour.intervalMillis) * 1_000_000
                responder.runOnLoop(atNanos: due) { [self] in send(next) }
                return
            }
        }
        guard !finished.load(ordering: .relaxed) else { return }
        responder.finishStream()
        if finished.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged { stats.update { $0.streamsCompleted += 1 } }
    }
}
