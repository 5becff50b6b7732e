import Foundation
import Testing
@testable import ForecastModels
import ForecastData

/// Series built in memory get the checks a CSV gets from the loader: bad data is a `ForecastError`
/// of kind `data` that names the series and the point.
///
/// Checked against: the code before `TimeSeries.validate` (a library review): a panel whose
/// series had different covariates, or a history without the model's covariate, crashed with an
/// index out of range in `predict`; a NaN in the target failed as "training diverged" or
/// forecast NaN; arrays of different lengths trapped in `TimeSeries.init`; a monthly series
/// without timestamps, unsorted timestamps, mixed frequencies and duplicate ids were accepted.
@Suite struct InMemoryValidationTests {
    static var config: ForecasterConfig {
        var c = ForecasterConfig(horizon: 3); c.maxSteps = 5; c.ensembleSize = 1; c.lookback = 6
        return c
    }
    static let wave = (0..<60).map { sin(Double($0) / 3) + 2 }

    func expectDataError(_ message: String, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("no error; expected one containing \(message)")
        } catch let e as ForecastError {
            #expect(e.kind == .data && e.description.contains(message), "\(e)")
            #expect(e.localizedDescription == e.description, "logging code reads localizedDescription")
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func fitRefusesInconsistentSeries() throws {
        var nan = Self.wave; nan[10] = .nan
        expectDataError("the series: target at index 10 (10) is nan, not a finite number") {
            _ = try Forecaster.fit([TimeSeries(target: nan)], config: Self.config)
        }
        expectDataError("the series: 3 timestamps for 60 target values") {
            _ = try Forecaster.fit([TimeSeries(timestamps: [0, 1, 2], target: Self.wave)], config: Self.config)
        }
        expectDataError("covariate 'x' has 2 values for 60 target values") {
            _ = try Forecaster.fit([TimeSeries(target: Self.wave, covariateNames: ["x"], covariates: [[1, 2]])], config: Self.config)
        }
        expectDataError("the frequency is monthly but no timestamps were given") {
            _ = try Forecaster.fit([TimeSeries(frequency: .months(1, monthEnd: false), target: Self.wave)], config: Self.config)
        }
        expectDataError("the frequency is monthly but no timestamps were given") {
            _ = try Forecaster.fit([TimeSeries(timeColumn: "date", timeFormat: .date, frequency: .months(1, monthEnd: false), target: Self.wave)],
                                   config: Self.config)
        }
        let day: Int64 = 86_400
        var times = (0..<60).map { Int64($0) * day }
        let kept = times[21]
        times[21] = times[20]
        expectDataError("timestamps must increase: 1970-01-21 (index 21) follows 1970-01-21") {
            _ = try Forecaster.fit([TimeSeries(timeColumn: "date", timeFormat: .date, frequency: .seconds(day), timestamps: times, target: Self.wave)],
                                   config: Self.config)
        }
        times[21] = kept; times[30] += day
        expectDataError("timestamps must be one daily step apart with no gaps") {
            _ = try Forecaster.fit([TimeSeries(timeColumn: "date", timeFormat: .date, frequency: .seconds(day), timestamps: times, target: Self.wave)],
                                   config: Self.config)
        }
    }

    @Test func fitRefusesAnInconsistentPanel() throws {
        let a = TimeSeries(id: "a", target: Self.wave, covariateNames: ["x"], covariates: [Self.wave])
        let b = TimeSeries(id: "b", target: Self.wave)
        expectDataError("series 'b' has the covariates none and series 'a' 'x'") { _ = try Forecaster.fit([a, b], config: Self.config) }
        var c = b; c.id = nil
        expectDataError("a panel of 2 series needs an `id` for each") { _ = try Forecaster.fit([b, c], config: Self.config) }
        expectDataError("two series of the panel have the id 'b'") { _ = try Forecaster.fit([b, b], config: Self.config) }
        let monthly = TimeSeries(id: "m", timeColumn: "date", timeFormat: .date, frequency: .months(1, monthEnd: false),
                                 timestamps: (0..<60).map { Frequency.months(1, monthEnd: false).advance(0, by: $0) },
                                 target: Self.wave)
        expectDataError("series 'm' is monthly and series 'b' integer steps; the series a panel trains on have one frequency") {
            _ = try Forecaster.fit([b, monthly], config: Self.config)
        }
        // A series too short to train on may have a frequency of its own (the loader infers each
        // series'): it is left out with a warning.
        var short = monthly.prefix(4); short.id = "s"
        let model = try Forecaster.fit([b, short], config: Self.config)
        #expect(model.series.map(\.id) == ["b"] && model.shortSeries.map(\.id) == ["s"])
    }

    /// Dropout acts between stacked layers: asked for with one layer, it would silently do nothing
    /// (a study run with `--dropout 0.1` reproduced the default to the last digit).
    @Test func dropoutWithOneLayerIsReported() throws {
        var c = Self.config
        c.dropout = 0.2
        var notes: [String] = []
        _ = try Forecaster.fit([TimeSeries(target: Self.wave)], config: c, warnings: &notes)
        #expect(notes.contains { $0.hasPrefix("dropout acts between stacked layers") })
        c.layers = 2
        notes = []
        _ = try Forecaster.fit([TimeSeries(target: Self.wave)], config: c, warnings: &notes)
        #expect(!notes.contains { $0.hasPrefix("dropout") })
    }

    /// Lookbacks past the ensemble size are not used, and do not count as lookbacks to fit.
    @Test func lookbacksPastTheEnsembleAreUnused() throws {
        var c = Self.config; c.lookback = nil; c.memberLookbacks = [6, 9, 200]; c.ensembleSize = 2
        let f = try Forecaster.fit([TimeSeries(target: Self.wave)], config: c)
        #expect(f.members.map(\.lookback) == [6, 9])
    }

    @Test func predictRefusesAHistoryThatDoesNotMatch() throws {
        let withX = TimeSeries(target: Self.wave, covariateNames: ["x"], covariates: [Self.wave.map { $0 * 2 }])
        var c = Self.config; c.combine = .network
        let model = try Forecaster.fit([withX], config: c)
        expectDataError("the history has the covariates none; the model was trained with 'x'") {
            _ = try model.predict(horizon: 3, history: [TimeSeries(target: Self.wave)])
        }
        var nan = withX; nan.target[59] = .nan
        expectDataError("target at index 59 (59) is nan") { _ = try model.predict(horizon: 3, history: [nan]) }
        #expect(try model.predict(horizon: 3, history: [withX])[0].values.allSatisfy(\.isFinite))
    }
}
