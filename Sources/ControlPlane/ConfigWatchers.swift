import Core
import Dispatch
import Synchronization

/// Data planes waiting for a config version newer than the one they have (`GET /admin/v1/config/watch`, a
/// long poll): each is answered once, when a newer version is published or when its wait runs out.
public final class ConfigWatchers: Sendable {
    private struct Waiter {
        let after: Int
        let answer: @Sendable (_ changed: Bool) -> Void
    }

    private let waiting = Mutex<[UInt64: Waiter]>([:])
    private let nextID = Atomic<UInt64>(1)

    public init() {}

    /// How many data planes are waiting now.
    public var count: Int { waiting.withLock { $0.count } }

    /// Calls `answer(true)` once a version after `after` is published, or `answer(false)` after `timeoutMillis`.
    func wait(after: Int, timeoutMillis: Int, answer: @escaping @Sendable (Bool) -> Void) {
        let id = nextID.add(1, ordering: .relaxed).oldValue
        waiting.withLock { $0[id] = Waiter(after: after, answer: answer) }
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(timeoutMillis)) { [self] in
            waiting.withLock { $0.removeValue(forKey: id) }?.answer(false)
        }
    }

    /// A new version is live: answers everyone waiting for something newer than what they had.
    func published(version: Int) {
        let ready = waiting.withLock { waiters -> [Waiter] in
            let due = waiters.filter { $0.value.after < version }
            for id in due.keys { waiters.removeValue(forKey: id) }
            return Array(due.values)
        }
        for waiter in ready { waiter.answer(true) }
    }
}
