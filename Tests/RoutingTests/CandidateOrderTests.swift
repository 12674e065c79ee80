import Core
import Routing
import Testing

/// Each strategy's choice, with the randomness injected (distribution tests use a seeded generator).
@Suite struct CandidateOrderTests {
    struct SeededRandom {
        var state: UInt64
        mutating func next(_ range: ClosedRange<Int>) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return range.lowerBound + Int((state >> 33) % UInt64(range.count))
        }
    }

    let three = [DeploymentFacts(id: "a", priority: 0, weight: 1), DeploymentFacts(id: "b", priority: 1, weight: 1),
                 DeploymentFacts(id: "c", priority: 2, weight: 1)]

    @Test func priorityKeepsTheGroupOrder() {
        #expect(CandidateOrder.order(three, strategy: .priority, turn: 7) { _ in 0 } == [0, 1, 2])
    }

    @Test func roundRobinRotatesEvenly() {
        var firsts = [0, 0, 0]
        for turn in 0..<300 {
            let order = CandidateOrder.order(three, strategy: .roundRobin, turn: UInt64(turn)) { _ in 0 }
            #expect(Set(order) == [0, 1, 2])
            firsts[order[0]] += 1
        }
        #expect(firsts == [100, 100, 100])
        #expect(CandidateOrder.order(three, strategy: .roundRobin, turn: 4) { _ in 0 } == [1, 2, 0])
    }

    @Test func weightedPicksInProportionOverManyRequests() {
        let facts = [DeploymentFacts(id: "a", weight: 1), DeploymentFacts(id: "b", weight: 3), DeploymentFacts(id: "c", weight: 0)]
        var random = SeededRandom(state: 42)
        var firsts = [0, 0, 0]
        for _ in 0..<8_000 {
            let order = CandidateOrder.order(facts, strategy: .weighted, turn: 0) { random.next($0) }
            #expect(order.count == 3 && order.last == 2, "a zero weight only serves as the last resort")
            firsts[order[0]] += 1
        }
        // Expected 2,000 and 6,000; allow ±5 %.
        #expect((1_900...2_100).contains(firsts[0]) && (5_900...6_100).contains(firsts[1]) && firsts[2] == 0, "\(firsts)")
    }

    @Test func leastLatencyPrefersTheFastestAndSometimesExplores() {
        let facts = [DeploymentFacts(id: "a", latencyMillis: 300), DeploymentFacts(id: "b", latencyMillis: 100),
                     DeploymentFacts(id: "c", latencyMillis: 200)]
        #expect(CandidateOrder.order(facts, strategy: .leastLatency, turn: 0) { $0.upperBound } == [1, 2, 0])
        // The exploration draw (0) picks a random first deployment (here the upper bound, 2).
        var draws = [0, 2]
        #expect(CandidateOrder.order(facts, strategy: .leastLatency, turn: 0) { _ in draws.removeFirst() } == [2, 0, 1])
        let unmeasured = [DeploymentFacts(id: "a", latencyMillis: 50), DeploymentFacts(id: "b")]
        #expect(CandidateOrder.order(unmeasured, strategy: .leastLatency, turn: 0) { $0.upperBound } == [1, 0])
    }

    @Test func lowestCostAndLeastBusyOrderByTheirMeasureKeepingPriorityOnTies() {
        let costs = [DeploymentFacts(id: "a", estimatedCostMicros: 30), DeploymentFacts(id: "b", estimatedCostMicros: 10),
                     DeploymentFacts(id: "c", estimatedCostMicros: 10)]
        #expect(CandidateOrder.order(costs, strategy: .lowestCost, turn: 0) { _ in 0 } == [1, 2, 0])
        let busy = [DeploymentFacts(id: "a", inFlight: 4), DeploymentFacts(id: "b", inFlight: 0), DeploymentFacts(id: "c", inFlight: 2)]
        #expect(CandidateOrder.order(busy, strategy: .leastBusy, turn: 0) { _ in 0 } == [1, 2, 0])
    }

    @Test func turnsCountPerRoute() {
        let turns = RouteTurns()
        #expect([turns.next("x"), turns.next("x"), turns.next("y"), turns.next("x")] == [0, 1, 0, 2])
    }
}
