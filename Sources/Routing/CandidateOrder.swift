import Core

/// What a strategy knows about one deployment of a route group when ordering it for a request.
public struct DeploymentFacts: Sendable, Equatable {
    public var id: String
    public var priority: Int
    public var weight: Int
    /// The request's estimated cost on this deployment, in micro-dollars.
    public var estimatedCostMicros: Int64
    public var inFlight: Int
    /// Smoothed latency of successful attempts, nil before the first one.
    public var latencyMillis: Double?

    public init(id: String, priority: Int = 0, weight: Int = 1, estimatedCostMicros: Int64 = 0, inFlight: Int = 0, latencyMillis: Double? = nil) {
        self.id = id
        self.priority = priority
        self.weight = weight
        self.estimatedCostMicros = estimatedCostMicros
        self.inFlight = inFlight
        self.latencyMillis = latencyMillis
    }
}

/// Orders a route group's deployments for one request by the route's strategy; the coordinator then tries
/// them in that order. Ties keep the group's priority order. Randomness and turns are injected.
public enum CandidateOrder {
    /// One request in this many explores a random deployment under `least_latency`, so a recovered or
    /// never-measured one gets re-measured.
    public static let explorationOneIn = 10

    /// Indices into `facts` (which is in priority order), best first.
    public static func order(_ facts: [DeploymentFacts], strategy: RoutePolicy.Strategy, turn: UInt64,
                             random: (ClosedRange<Int>) -> Int) -> [Int] {
        let indices = Array(facts.indices)
        guard facts.count > 1 else { return indices }
        switch strategy {
        case .priority:
            return indices
        case .roundRobin:
            let start = Int(turn % UInt64(facts.count))
            return Array(indices[start...] + indices[..<start])
        case .weighted:
            return weightedOrder(facts, random: random)
        case .leastLatency:
            if random(0...(explorationOneIn - 1)) == 0 {
                let first = random(0...(facts.count - 1))
                return [first] + indices.filter { $0 != first }
            }
            // Never-measured deployments first (latency 0), so each gets measured.
            return stableSorted(indices) { (facts[$0].latencyMillis ?? 0) < (facts[$1].latencyMillis ?? 0) }
        case .lowestCost:
            return stableSorted(indices) { facts[$0].estimatedCostMicros < facts[$1].estimatedCostMicros }
        case .leastBusy:
            return stableSorted(indices) { facts[$0].inFlight < facts[$1].inFlight }
        }
    }

    /// Weighted sampling without replacement: each pick is proportional to the weights left.
    static func weightedOrder(_ facts: [DeploymentFacts], random: (ClosedRange<Int>) -> Int) -> [Int] {
        var left = Array(facts.indices)
        var order: [Int] = []
        while !left.isEmpty {
            let total = left.reduce(0) { $0 + max(0, facts[$1].weight) }
            guard total > 0 else { return order + left }  // only zero weights left: priority order
            var ticket = random(0...(total - 1))
            for (position, index) in left.enumerated() {
                ticket -= max(0, facts[index].weight)
                if ticket < 0 {
                    order.append(index)
                    left.remove(at: position)
                    break
                }
            }
        }
        return order
    }

    static func stableSorted(_ indices: [Int], by better: (Int, Int) -> Bool) -> [Int] {
        indices.enumerated().sorted { a, b in better(a.element, b.element) || (!better(b.element, a.element) && a.offset < b.offset) }.map(\.element)
    }
}

/// Per-route turn counters for round robin, shared by all event loops.
public final class RouteTurns: @unchecked Sendable {
    // Safety: `turns` is only touched while holding `lock`.
    private let lock = Lock()
    private var turns: [String: UInt64] = [:]

    public init() {}

    /// This request's turn on `route` (0, 1, 2, ...).
    public func next(_ route: String) -> UInt64 {
        lock.withLock {
            let turn = turns[route, default: 0]
            turns[route] = turn &+ 1
            return turn
        }
    }
}
