import Glibc

/// A plain mutex for code that must return non-`Sendable` values from inside the critical section
/// (where `Synchronization.Mutex` would demand `sending`). Never held across I/O on the request path.
public final class Lock: @unchecked Sendable {
    // Safety: the pthread mutex itself is the synchronisation; the pointer never changes.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    public init() {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` holding the lock.
    public func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}
