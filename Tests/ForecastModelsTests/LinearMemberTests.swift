import Foundation
import Testing
@testable import ForecastModels
import ForecastData

/// The network's part of `f`'s forecast of `history` as the combination forms it at an origin:
/// `model`'s networks alone (`f` itself, or a fit on data cut there), mixed with the linear
/// autoregression fitted on `history` by `f`'s share (`SeriesState.linearWeight`).
func networkPart(_ model: Forecaster, of f: Forecaster, history: TimeSeries, horizon H: Int) throws -> [Double] {
    let alone = try model.predict(horizon: H, history: [history], future: nil, intervals: [], source: .network, threads: 1,
                                  chunkSize: nil, shouldStop: nil, linear: false)[0].values
    guard let w = f.series[0].linearWeight else { return alone }
    let linear = LinearAutoregression.forecast(history.target, horizon: H, steps: H, period: f.linearPeriod(f.series[0].frequency))
    return zip(alone, linear).map { Forecaster.blend(w, $1, $0) }
}

/// The linear autoregression mixed with the networks (`ForecasterConfig.linearMember`).
@Suite struct LinearMemberTests {
    private struct Case: Decodable {
        var history: [Double]
        var horizon: Int
        var period: Int
        var forecast: [Double]
    }

    /// numpy's ridge solution, written once by scripts/make_linear_fixture.py from
    /// Benchmarks/accuracy/linear_study.py (the study the default was chosen with).
    @Test func matchesTheStudysNumpyForecasts() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/linear_ar.json")
        let cases = try JSONDecoder().decode([String: Case].self, from: Data(contentsOf: url))
        #expect(cases.count == 3)
        for (name, c) in cases {
            let got = LinearAutoregression.forecast(c.history, horizon: c.horizon, steps: c.horizon, period: c.period)
            let scale = c.history.map(abs).max()!
            #expect(got.count == c.horizon)
            for (a, b) in zip(got, c.forecast) { #expect(abs(a - b) <= 1e-9 * scale, "\(name): \(a) against \(b)") }
        }
    }

    /// A straight line continues, a constant stays, a history too short for four windows repeats
    /// its last value, and past the horizon the model runs on its own output.
    @Test func simpleHistories() {
        let line = (0..<60).map { 3 + 2 * Double($0) }
        let f = LinearAutoregression.forecast(line, horizon: 6, steps: 18, period: 1)
        for (h, v) in f.enumerated() { #expect(abs(v - (3 + 2 * Double(60 + h))) < 0.01, "step \(h): \(v)") }
        #expect(LinearAutoregression.forecast([Double](repeating: 7, count: 40), horizon: 4, steps: 8, period: 1) == [Double](repeating: 7, count: 8))
        #expect(LinearAutoregression.forecast([1, 2, 3, 5], horizon: 4, steps: 3, period: 1) == [5, 5, 5])
        #expect(LinearAutoregression.forecast([], horizon: 4, steps: 3, period: 1).isEmpty)
        // The lookback's season: the calendar's, or a shorter one in use.
        #expect(LinearAutoregression.period(natural: 24, periods: [168]) == 24)
        #expect(LinearAutoregression.period(natural: 1, periods: [24, 168]) == 24)
        #expect(LinearAutoregression.period(natural: 4, periods: []) == 4)
        #expect(LinearAutoregression.period(natural: 1, periods: [1]) == 1)
        #expect(LinearAutoregression.forecast([1, .nan, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20],
                                               horizon: 2, steps: 2, period: 1) == [20, 20])
    }

    /// The lookback spans whole seasons where it spans one (a third of 108 months is 32: 24), and
    /// the share is the inverse-error weight, all of one side where the other's error is not finite.
    @Test func lookbackAndShare() {
        #expect(LinearAutoregression.lookback(count: 108, horizon: 12, period: 12) == 24)
        #expect(LinearAutoregression.lookback(count: 400, horizon: 12, period: 12) == 72)
        #expect(LinearAutoregression.lookback(count: 100, horizon: 6, period: 1) == 12)
        #expect(LinearAutoregression.lookback(count: 40, horizon: 4, period: 24) == 12)   // under a season: as is
        #expect(LinearAutoregression.share(network: 3, linear: 1) == 0.75)
        #expect(LinearAutoregression.share(network: 0, linear: 0) == 0.5)
        #expect(LinearAutoregression.share(network: .nan, linear: 1) == 1)
        #expect(LinearAutoregression.share(network: 1, linear: .infinity) == 0)
    }

    /// The share follows the validation errors: on a trend plus a season, which the linear model
    /// fits exactly and a briefly trained network does not, it takes most of the network's part.
    @Test func shareFollowsTheValidationErrors() throws {
        var s = try airline()
        s.target = s.target.indices.map { 100 + 2 * Double($0) + 20 * sin(2 * Double.pi * Double($0) / 12) }
        var c = ForecasterConfig(horizon: 12)
        c.maxSteps = 30; c.ensembleSize = 2; c.combine = .network
        let w = try #require(try fit([s], c).series[0].linearWeight)
        #expect(w > 0.8, "share \(w)")
    }

    /// The network's forecast mixes the networks' and the stored linear path by the stored share;
    /// the same from the model's tail and from the whole history given again; and it survives the
    /// file.
    @Test func predictMixesTheStoredPath() throws {
        var c = ForecasterConfig(horizon: 12)
        c.maxSteps = 30; c.ensembleSize = 2; c.combine = .network
        let f = try fit([airline()], c)
        let path = try #require(f.series[0].linearForecast)
        #expect(path.count == 48)
        #expect(path == LinearAutoregression.forecast(try airline().target, horizon: 12, steps: 48, period: 12))
        let mixed = try f.predict(horizon: 12, source: .network)[0].values
        let alone = try f.predict(horizon: 12, history: nil, future: nil, intervals: [], source: .network, threads: 1,
                                  chunkSize: nil, shouldStop: nil, linear: false)[0].values
        let w = try #require(f.series[0].linearWeight)
        #expect(w > 0 && w < 1)
        for h in 0..<12 { #expect(abs(mixed[h] - (w * path[h] + (1 - w) * alone[h])) <= 1e-9 * abs(mixed[h])) }
        let again = try f.predict(horizon: 12, history: [airline()], source: .network)[0].values
        #expect(again == mixed)
        let read = try ModelFile.decode(try ModelFile.encode(f))
        #expect(read.series[0].linearForecast == path && read.series[0].linearWeight == w)
        #expect(try read.predict(horizon: 12, source: .network)[0].values == mixed)
    }

    /// Off: no path stored, the networks' forecast alone.
    @Test func offKeepsTheNetworksAlone() throws {
        var c = ForecasterConfig(horizon: 12)
        c.maxSteps = 30; c.ensembleSize = 2; c.combine = .network; c.linearMember = false
        let f = try fit([airline()], c)
        #expect(f.series[0].linearForecast == nil)
        let a = try f.predict(horizon: 12, source: .network)[0].values
        let b = try f.predict(horizon: 12, history: nil, future: nil, intervals: [], source: .network, threads: 1,
                              chunkSize: nil, shouldStop: nil, linear: false)[0].values
        #expect(a == b)
    }
}
