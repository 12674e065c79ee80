import Core
import UpstreamClient

/// Watches the streams relayed on one event loop for upstream silence with a single periodic sweep, so a
/// stream costs no timer of its own (a timer per stream made every schedule and cancel walk the loop's
/// whole timer list). Idle limits are honoured to within one sweep period.
final class StreamIdleWatch {
    static let sweepMillis = 100
    private let reactor: any UpstreamReactor
    private var relays: [Weak] = []
    private var sweeping = false

    private struct Weak {
        weak var relay: CompletionRelay?
    }

    init(reactor: any UpstreamReactor) {
        self.reactor = reactor
    }

    /// Adds a stream; it leaves the watch on its own once finished.
    func watch(_ relay: CompletionRelay) {
        relays.append(Weak(relay: relay))
        guard !sweeping else { return }
        sweeping = true
        scheduleSweep()
    }

    private func scheduleSweep() {
        _ = reactor.scheduleTimer(afterMillis: Self.sweepMillis) { [self] in
            let now = Timestamp.monotonicNanos()
            relays.removeAll { $0.relay?.checkIdle(now: now) ?? true }
            if relays.isEmpty { sweeping = false } else { scheduleSweep() }
        }
    }
}
