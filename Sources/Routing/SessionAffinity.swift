import Core

/// Which deployment served each session last, per route, for a TTL, on an injected clock; bounded in size
/// (expired pins are dropped first, then the oldest). Shared by all event loops.
public final class SessionAffinity: @unchecked Sendable {
    // Safety: `pins` is only touched while holding `lock`.
    private struct Pin {
        var deploymentID: String
        var expiresAt: Int64
        var touchedAt: Int64
    }

    public static let maxSessions = 100_000
    private let lock = Lock()
    private var pins: [String: Pin] = [:]
    private let capacity: Int
    public let clock: @Sendable () -> Int64

    public init(capacity: Int = maxSessions, clock: @escaping @Sendable () -> Int64 = { Int64(Timestamp.monotonicNanos() / 1_000_000) }) {
        self.capacity = capacity
        self.clock = clock
    }

    /// The deployment `session` is pinned to on `route`, if the pin has not expired.
    public func pinned(route: String, session: String) -> String? {
        let now = clock()
        return lock.withLock {
            guard let pin = pins[route + "\u{0}" + session], pin.expiresAt > now else { return nil }
            return pin.deploymentID
        }
    }

    /// Pins `session` on `route` to `deploymentID` for `ttlMillis` from now.
    public func pin(route: String, session: String, to deploymentID: String, ttlMillis: Int) {
        let now = clock()
        lock.withLock {
            if pins.count >= capacity { evict(now: now) }
            pins[route + "\u{0}" + session] = Pin(deploymentID: deploymentID, expiresAt: now + Int64(ttlMillis), touchedAt: now)
        }
    }

    public var count: Int { lock.withLock { pins.count } }

    /// Drops expired pins; if none had expired, the oldest tenth.
    private func evict(now: Int64) {
        let before = pins.count
        pins = pins.filter { $0.value.expiresAt > now }
        guard pins.count == before else { return }
        let oldest = pins.sorted { $0.value.touchedAt < $1.value.touchedAt }.prefix(max(1, capacity / 10))
        for (key, _) in oldest { pins[key] = nil }
    }
}
