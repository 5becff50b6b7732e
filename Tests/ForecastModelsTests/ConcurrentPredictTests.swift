import Foundation
import Testing
@testable import ForecastModels
import ForecastData
import ForecastNN

/// A forecast bit for bit: point values and every interval bound.
private func bits(_ forecasts: [Forecast]) -> [[UInt64]] {
    forecasts.flatMap { f in
        [f.values.map(\.bitPattern)] + f.intervals.flatMap { [$0.lower.map(\.bitPattern), $0.upper.map(\.bitPattern)] }
    }
}

/// `Forecaster.predict` from several tasks at once on one model gives exactly the sequential
/// forecasts (issue 14: it used to share the layers' scratch buffers between callers). The
/// script scripts/tsan_predict.sh runs this suite under the thread sanitizer.
@Suite struct ConcurrentPredictTests {
    /// A 3-series panel of different shapes and lengths.
    static func panel() -> [TimeSeries] {
        (0..<3).map { k in
            let n = 96 + 8 * k
            let y = (0..<n).map { t -> Double in
                let x = Double(t)
                return 50 + 10 * Double(k) + 0.2 * x + (8 + Double(k)) * sin(2 * .pi * x / 12 + Double(k)) + 2 * cos(x * 0.7 * Double(k + 1))
            }
            return TimeSeries(id: "s\(k)", target: y)
        }
    }

    @Test(arguments: [CellKind.lstm, .gru])
    func concurrentPredictionsEqualSequentialOnes(cell: CellKind) async throws {
        var c = ForecasterConfig(horizon: 6)
        c.maxSteps = 8; c.ensembleSize = 2; c.encoder = cell; c.decoder = cell; c.seasonalPeriods = [12]
        c.combine = .network   // the forecast is the networks' (a statistical choice would hide them)
        let series = Self.panel()
        let model = try fit(series, c)
        #expect(model.members.count == 2)
        // A history other than the stored tails: each series without its last 5 points.
        let history = series.map { s in
            TimeSeries(id: s.id, target: Array(s.target.dropLast(5)))
        }
        // Past the trained horizon too (recursive: the network is run twice per call).
        let horizon = 9, levels = [0.8]
        let expected = try bits(model.predict(horizon: horizon, intervals: levels))
        let expectedHistory = try bits(model.predict(horizon: horizon, history: history, intervals: levels))
        #expect(expected != expectedHistory)

        let tasks = 8, repetitions = 20
        let mismatches = try await withThrowingTaskGroup(of: Int.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    var wrong = 0
                    for r in 0..<repetitions {
                        // Alternate so that calls with and without history overlap.
                        if (task + r) % 2 == 0 {
                            if try bits(model.predict(horizon: horizon, intervals: levels)) != expected { wrong += 1 }
                        } else {
                            if try bits(model.predict(horizon: horizon, history: history, intervals: levels)) != expectedHistory { wrong += 1 }
                        }
                    }
                    return wrong
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(mismatches == 0, "\(mismatches) of \(tasks * repetitions) concurrent predictions differ from the sequential ones (\(cell))")
        // And sequential again afterwards: nothing a concurrent call left behind changes a forecast.
        #expect(try bits(model.predict(horizon: horizon, intervals: levels)) == expected)
    }
}
