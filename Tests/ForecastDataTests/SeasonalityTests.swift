import Foundation
import Testing
@testable import ForecastData

/// A tiny deterministic generator (SplitMix64) with Box-Muller normals.
struct SplitMix {   // also StreamingLoadTests
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in (0, 1).
    mutating func uniform() -> Double { (Double(next() >> 11) + 0.5) / 9_007_199_254_740_992 }
    mutating func normal() -> Double {
        (-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform())
    }
    mutating func noise(_ n: Int, sd: Double = 1) -> [Double] { (0..<n).map { _ in sd * normal() } }
}

private func wave(_ t: Int, _ period: Int) -> Double { sin(2 * Double.pi * Double(t) / Double(period)) }

@Suite struct SeasonalityTests {
    @Test func dailyAndWeeklySeasonsOnIntegerSteps() {
        var g = SplitMix(seed: 1)
        let x = (0..<2_016).map { t in 10 + 3 * wave(t, 24) + 2 * wave(t, 168) + g.normal() }
        #expect(Seasonality.detect(x, candidates: Seasonality.candidates(for: .steps(1))) == [24, 168])
        #expect(Seasonality.detect(x, candidates: Seasonality.candidates(for: .seconds(3_600))) == [24, 168])
        // Same answer whatever the order of the candidates.
        #expect(Seasonality.detect(x, candidates: [168, 24, 24]) == [24, 168])
    }

    @Test func weekendEffectIsAWeeklySeason() {
        var g = SplitMix(seed: 2)
        let x = (0..<2_016).map { t in 10 + 3 * wave(t, 24) - 3 * ((t / 24) % 7 >= 5 ? 1 : 0) + g.normal() }
        #expect(Seasonality.detect(x, candidates: Seasonality.candidates(for: .seconds(3_600))) == [24, 168])
    }

    @Test func aMultipleThatAddsNothingIsDropped() {
        var g = SplitMix(seed: 3)
        let x = (0..<2_016).map { t in 10 + 3 * wave(t, 24) + g.normal() }
        #expect(Seasonality.detect(x, candidates: Seasonality.candidates(for: .steps(1))) == [24])
        // 168 and 48 pass the test on their own but are redundant multiples of 24.
        let evidence = Seasonality.evaluate(x, candidates: [24, 48, 168])
        #expect(evidence.map(\.period) == [24, 48, 168])
        #expect(evidence.map(\.significant) == [true, true, true])
        #expect(evidence.map(\.kept) == [true, false, false])
    }

    @Test func whiteNoiseHasNoSeason() {
        for seed: UInt64 in [10, 11, 12] {
            var g = SplitMix(seed: seed)
            let x = g.noise(2_000)
            #expect(Seasonality.detect(x, candidates: Seasonality.candidates(for: .steps(1))) == [], "seed \(seed)")
        }
    }

    @Test func randomWalkAndAR1HaveNoSeason() {
        for seed: UInt64 in [20, 21, 22] {
            var g = SplitMix(seed: seed)
            var walk: [Double] = [], ar: [Double] = []
            var w = 0.0, a = 0.0
            for _ in 0..<2_000 {
                w += g.normal(); walk.append(w)
                a = 0.9 * a + g.normal(); ar.append(a)
            }
            #expect(Seasonality.detect(walk, candidates: Seasonality.candidates(for: .steps(1))) == [], "seed \(seed)")
            #expect(Seasonality.detect(ar, candidates: Seasonality.candidates(for: .steps(1))) == [], "seed \(seed)")
        }
    }

    @Test func monthlySeasonOnALinearTrend() {
        var g = SplitMix(seed: 4)
        let x = (0..<120).map { t in 100 + 0.5 * Double(t) + 10 * wave(t, 12) + 3 * g.normal() }
        #expect(Seasonality.detect(x, candidates: Seasonality.candidates(for: .months(1, monthEnd: false))) == [12])
        #expect(Seasonality.detect(x, candidates: Seasonality.candidates(for: .steps(1))) == [12])
    }

    @Test func tooShortForACandidateDropsIt() {
        var g = SplitMix(seed: 5)
        let x = (0..<72).map { t in 10 * wave(t, 12) + g.normal() }
        #expect(Seasonality.detect(x, candidates: [12]) == [12])
        // 35 < 3 * 12: not testable, so not returned even though the season is there.
        let short = Array(x.prefix(35))
        #expect(Seasonality.evaluate(short, candidates: [4, 12]).map(\.period) == [4])
        #expect(Seasonality.detect(short, candidates: [12]) == [])
        #expect(Seasonality.detect(Array(x.prefix(36)), candidates: [12, 1, 0, -3]).allSatisfy { $0 == 12 })
        #expect(Seasonality.detect([], candidates: [4]) == [])
    }

    @Test func onlyTheLastMaxPointsCount() {
        var g = SplitMix(seed: 6)
        let old = (0..<5_000).map { t in 10 * wave(t, 7) }
        let recent = g.noise(Seasonality.maxPoints)
        #expect(Seasonality.detect(old + recent, candidates: [7]) == [])
        #expect(Seasonality.detect(recent + old, candidates: [7]) == [7])
    }

    @Test func degenerateInputs() {
        #expect(Seasonality.detect([Double](repeating: 0.1, count: 100), candidates: [4]) == [])
        #expect(Seasonality.detect((0..<100).map { 0.3 * Double($0) + 1 }, candidates: [4]) == [])
        var x = (0..<100).map { t in wave(t, 4) }
        #expect(Seasonality.detect(x, candidates: [4]) == [4])
        x[50] = .nan
        #expect(Seasonality.detect(x, candidates: [4]) == [])
    }

    @Test func bonferroniQuantiles() {
        #expect(abs(Seasonality.normalQuantile(0.95) - 1.644_853_6) < 1e-6)
        #expect(abs(Seasonality.normalQuantile(0.975) - 1.959_964_0) < 1e-6)
    }

    @Test func candidatesPerFrequency() {
        func c(_ f: Frequency) -> [Int] { Seasonality.candidates(for: f) }
        #expect(c(.seconds(3_600)) == [24, 168])
        #expect(c(.seconds(1_800)) == [48, 336])
        #expect(c(.seconds(900)) == [96, 672])
        #expect(c(.seconds(60)) == [1_440, 10_080])
        #expect(c(.seconds(7_200)) == [12, 84])
        #expect(c(.seconds(86_400)) == [7, 365])
        #expect(c(.seconds(604_800)) == [52])
        #expect(c(.seconds(25_200)) == [])   // every 7 hours: no whole number per day
        #expect(c(.seconds(172_800)) == [])  // every 2 days
        #expect(c(.months(1, monthEnd: false)) == [12])
        #expect(c(.months(1, monthEnd: true)) == [12])
        #expect(c(.months(3, monthEnd: false)) == [4])
        #expect(c(.months(6, monthEnd: false)) == [2])
        #expect(c(.months(12, monthEnd: false)) == [])
        #expect(c(.months(5, monthEnd: false)) == [])
        #expect(c(.steps(1)) == [4, 5, 6, 7, 12, 24, 48, 52, 96, 168, 336, 365])
        #expect(c(.steps(3)) == Seasonality.genericCandidates)
    }
}
