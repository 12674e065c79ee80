import Core

/// Answers of routes with caching on, in memory: exact match on a hash of the route and the request fields
/// that shape the answer, least recently used evicted first within a byte budget, each entry expiring after
/// its route's TTL. Concurrent identical misses coalesce: the first fetches, the others wait for its answer.
/// Shared by all event loops; every operation holds the lock only for a few field updates.
public final class ResponseCache: @unchecked Sendable {
    // Safety: every stored property below is only touched while holding `lock`.
    /// A cached answer: the OpenAI body as sent, its decoded form (for stream replay) and who answered.
    struct Entry: Sendable {
        let body: [UInt8]
        let completion: ChatCompletion
        let provider: String
        let upstreamModel: String
        let deploymentID: String
        let expiresAtMillis: Int64
        var bytes: Int { body.count + 256 }
    }

    /// Called with the leader's answer (nil when it had none to share) for a waiting identical request.
    typealias Waiter = @Sendable (Entry?) -> Void

    private final class Node {
        let key: String
        var entry: Entry
        var newer: Node?
        weak var older: Node?
        init(key: String, entry: Entry) {
            self.key = key
            self.entry = entry
        }
    }

    private let lock = Lock()
    private var nodes: [String: Node] = [:]
    /// Most recently used first.
    private var newest: Node?
    private var oldest: Node?
    private var bytes = 0
    private var waiting: [String: [Waiter]] = [:]
    public let maxBytes: Int
    let clock: @Sendable () -> Int64

    public init(maxBytes: Int = 64 * 1024 * 1024, clock: @escaping @Sendable () -> Int64 = { Timestamp.nowMillis() }) {
        self.maxBytes = maxBytes
        self.clock = clock
    }

    /// The cache key of a chat request on `route`: SHA-256 of the route and the body with its keys sorted,
    /// less the fields that do not change the answer (`stream`, `stream_options`, `user`).
    static func key(route: String, body: JSONValue) -> String {
        var text = Array(route.utf8)
        text.append(0)
        if case .object(let fields) = body {
            text += JSONWriter.encode(canonical(.object(fields.filter { !["stream", "stream_options", "user"].contains($0.0) })))
        }
        return Crypto.hex(Crypto.sha256(text))
    }

    static func canonical(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let fields): return .object(fields.sorted { $0.0 < $1.0 }.map { ($0.0, canonical($0.1)) })
        case .array(let items): return .array(items.map(canonical))
        default: return value
        }
    }

    /// The live entry for `key`, marked as just used.
    func lookup(_ key: String) -> Entry? {
        let now = clock()
        return lock.withLock {
            guard let node = nodes[key] else { return nil }
            guard node.entry.expiresAtMillis > now else {
                remove(node)
                return nil
            }
            moveToFront(node)
            return node.entry
        }
    }

    /// True when the caller should fetch `key` itself (no identical request is fetching it); otherwise
    /// `waiter` is called once that request is done.
    func join(_ key: String, waiter: @escaping Waiter) -> Bool {
        lock.withLock {
            if waiting[key] != nil {
                waiting[key]?.append(waiter)
                return false
            }
            waiting[key] = []
            return true
        }
    }

    /// The fetch of `key` ended: stores `entry` (when there is one and it fits) and hands it to the waiters.
    func complete(_ key: String, entry: Entry?) {
        let waiters = lock.withLock { () -> [Waiter] in
            if let entry, entry.bytes <= maxBytes { store(key, entry) }
            return waiting.removeValue(forKey: key) ?? []
        }
        for waiter in waiters { waiter(entry) }
    }

    /// Entries and bytes held now.
    var usage: (entries: Int, bytes: Int) { lock.withLock { (nodes.count, bytes) } }

    private func store(_ key: String, _ entry: Entry) {
        if let existing = nodes[key] { remove(existing) }
        let node = Node(key: key, entry: entry)
        nodes[key] = node
        bytes += entry.bytes
        insertAtFront(node)
        while bytes > maxBytes, let victim = oldest { remove(victim) }
    }

    private func remove(_ node: Node) {
        nodes[node.key] = nil
        bytes -= node.entry.bytes
        unlink(node)
    }

    private func moveToFront(_ node: Node) {
        unlink(node)
        insertAtFront(node)
    }

    private func insertAtFront(_ node: Node) {
        node.older = newest
        node.newer = nil
        newest?.newer = node
        newest = node
        if oldest == nil { oldest = node }
    }

    private func unlink(_ node: Node) {
        if let newer = node.newer { newer.older = node.older } else { newest = node.older }
        if let older = node.older { older.newer = node.newer } else { oldest = node.newer }
        node.newer = nil
        node.older = nil
    }
}
