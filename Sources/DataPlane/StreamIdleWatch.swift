import Core
import UpstreamClient

/// A stream an `IdleWatch` looks after.
protocol IdleWatchedStream: AnyObject {
    /// Where the watch keeps it while it watches it.
    var idleWatchSlot: Int? { get set }
    /// Ends the stream when its upstream has been silent too long; true once it no longer needs watching.
    func checkIdle(now: UInt64) -> Bool
}

/// The watch of an event loop's relayed streams.
typealias StreamIdleWatch = IdleWatch<CompletionRelay>

/// Watches the streams relayed on one event loop for upstream silence with a single periodic sweep, so a
/// stream costs no timer of its own (a timer per stream made every schedule and cancel walk the loop's
/// whole timer list). Idle limits are honoured to within one sweep period.
///
/// Relays are held strongly and leave when they finish (`unwatch`, in constant time), or at the next sweep: a weak
/// reference gave every streamed relay a side table, and every retain and release of it then took the runtime's slow
/// path.
final class IdleWatch<Stream: IdleWatchedStream> {
    static var sweepMillis: Int { 100 }
    private let reactor: any UpstreamReactor
    private var relays: [Stream] = []
    private var sweeping = false

    init(reactor: any UpstreamReactor) {
        self.reactor = reactor
    }

    /// Adds a stream until `unwatch` (or the sweep, once it no longer needs watching).
    func watch(_ relay: Stream) {
        guard relay.idleWatchSlot == nil else { return }
        relay.idleWatchSlot = relays.count
        relays.append(relay)
        guard !sweeping else { return }
        sweeping = true
        scheduleSweep()
    }

    /// Lets a finished stream go: the last one watched takes its place.
    func unwatch(_ relay: Stream) {
        guard let slot = relay.idleWatchSlot, slot < relays.count, relays[slot] === relay else { return }
        relay.idleWatchSlot = nil
        let last = relays.removeLast()
        guard slot < relays.count else { return }
        relays[slot] = last
        last.idleWatchSlot = slot
    }

    /// The streams watched now.
    var count: Int { relays.count }

    private func scheduleSweep() {
        _ = reactor.scheduleTimer(afterMillis: Self.sweepMillis) { [self] in
            let now = Timestamp.monotonicNanos()
            for relay in relays where relay.checkIdle(now: now) { unwatch(relay) }
            if relays.isEmpty { sweeping = false } else { scheduleSweep() }
        }
    }
}
