import Testing
import ForecastNN
@testable import ForecastModels

/// Every pass visits every training window once, listed or computed.
@Suite struct PassOrderTests {
    @Test func computedOrdersArePermutationsThatChangePerPass() {
        var rng = SeededGenerator(seed: 3)
        for n in [PassOrder.explicitLimit + 1, PassOrder.explicitLimit * 3 + 7] {
            var order = PassOrder(count: n)
            order.reshuffle(&rng)
            var seen = [Bool](repeating: false, count: n)
            for i in 0..<n {
                let k = order[i]
                #expect(k >= 0 && k < n && !seen[k])
                seen[k] = true
            }
            #expect(seen.allSatisfy { $0 })
            let first = (0..<64).map { order[$0] }
            #expect(first != Array(0..<64))              // shuffled, not the identity
            order.reshuffle(&rng)
            #expect((0..<64).map { order[$0] } != first)  // a new order per pass
        }
    }

    @Test func listedOrdersAreTheShufflesOfBefore() {
        // Up to the limit, a pass is `SeededGenerator.shuffle` of the identity, as it always was.
        var a = SeededGenerator(seed: 9), b = SeededGenerator(seed: 9)
        var order = PassOrder(count: 1000)
        var list = (0..<1000).map { Int32($0) }
        for _ in 0..<3 {
            order.reshuffle(&a)
            b.shuffle(&list)
            #expect((0..<1000).map { order[$0] } == list.map { Int($0) })
        }
    }
}
