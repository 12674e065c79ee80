import Synchronization

/// Holds the live `ConfigSnapshot`; the control plane swaps it whole, the data plane reads it per request.
public final class SnapshotPublisher: Sendable {
    private let snapshot: Mutex<ConfigSnapshot>

    public init(_ initial: ConfigSnapshot = .empty) { snapshot = Mutex(initial) }

    /// The snapshot a new request should use.
    public var current: ConfigSnapshot { snapshot.withLock { $0 } }

    /// Makes `next` live unless a newer version already is.
    public func publish(_ next: ConfigSnapshot) {
        snapshot.withLock { current in
            if next.version >= current.version { current = next }
        }
    }
}
