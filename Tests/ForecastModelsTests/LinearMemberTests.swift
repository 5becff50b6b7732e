import Foundation
import Testing
@testable import ForecastModels
import ForecastData

/// The linear autoregression averaged with the networks (`ForecasterConfig.linearMember`).
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

    /// The network's forecast is the mean of the networks' and the stored linear path; the same
    /// from the model's tail and from the whole history given again; and it survives the file.
    @Test func predictAveragesTheStoredPath() throws {
        var c = ForecasterConfig(horizon: 12)
        c.maxSteps = 30; c.ensembleSize = 2; c.combine = .network
        let f = try fit([airline()], c)
        let path = try #require(f.series[0].linearForecast)
        #expect(path.count == 48)
        #expect(path == LinearAutoregression.forecast(try airline().target, horizon: 12, steps: 48, period: 12))
        let mixed = try f.predict(horizon: 12, source: .network)[0].values
        let alone = try f.predict(horizon: 12, history: nil, future: nil, intervals: [], source: .network, threads: 1,
                                  chunkSize: nil, shouldStop: nil, linear: false)[0].values
        for h in 0..<12 { #expect(abs(mixed[h] - (alone[h] + path[h]) / 2) <= 1e-9 * abs(mixed[h])) }
        let again = try f.predict(horizon: 12, history: [airline()], source: .network)[0].values
        #expect(again == mixed)
        let read = try ModelFile.decode(try ModelFile.encode(f))
        #expect(read.series[0].linearForecast == path)
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
