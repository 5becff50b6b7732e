import ForecastData
import Foundation
import ForecastMetrics

/// Rolling-origin evaluation with an expanding window: fold k trains on everything before its origin
/// and forecasts the next `horizon` points; origins step back from the end by one horizon per fold.
///
///     let r = try Backtest.run(series, config: ForecasterConfig(horizon: 12), folds: 4)
///     r.score(.mase)               // the default forecast, averaged over the folds
///     r.score(.mase, of: .network) // the network alone
public enum Backtest {
    /// The metrics reported per model: MAE, RMSE, sMAPE, MASE, RMSSE, bias.
    public static let metrics: [Metric] = [.mae, .rmse, .smape, .mase, .rmsse, .bias]

    /// One fold's scores (`Codable`, as `Result` is).
    public struct Fold: Sendable, Equatable {
        /// Points the fold trained on (its origin's index in the series).
        public var trainCount: Int
        /// The first forecast time as a date (UTC) for a calendar time column; nil for integer steps.
        public var origin: Date?
        /// The first forecast time, written as the data writes its times.
        public var originLabel: String
        /// Each model's value of each metric in `Backtest.metrics`; a metric is absent where it is
        /// undefined (MASE on a constant history, any metric of a NaN forecast).
        public var scores: [ForecastSource: [Metric: Double]]
        /// Empirical coverage of the default forecast's intervals, by level (absent for bounds that
        /// are not finite).
        public var coverage: [Double: Double]
        /// Mean Winkler score of the default forecast's intervals, by level (absent likewise).
        public var winkler: [Double: Double]
        /// The default forecast for the fold (what `Forecaster.predict` returns: the combination).
        public var forecast: [Double]
        /// The default forecast's intervals for the fold.
        public var bands: [PredictionInterval]
    }

    /// All folds and their averages. `Codable` (scores keyed by model and metric name, coverage by
    /// level), to store it as JSON.
    public struct Result: Sendable, Equatable {
        /// The folds, oldest origin first.
        public var folds: [Fold]
        /// The models scored, in report order: the default forecast (`combination`), the network
        /// alone, then each statistical model.
        public var models: [ForecastSource]
        /// Mean over folds of each metric (over the folds where it is defined).
        public var overall: [ForecastSource: [Metric: Double]]
        /// Coverage by level, pooled over the folds' scored points (the mean over folds when every
        /// fold scores all its points).
        public var coverage: [Double: Double]
        /// Mean Winkler score of the default forecast's intervals over the folds, by level (over the
        /// folds where it is defined): the interval's width plus 2/α times any miss, α = 1 − level,
        /// in the series' units; lower is better.
        public var winkler: [Double: Double] {
            var out: [Double: Double] = [:]
            for level in Set(folds.flatMap(\.winkler.keys)) {
                let values = folds.compactMap { $0.winkler[level] }.filter(\.isFinite)
                if !values.isEmpty { out[level] = values.reduce(0, +) / Double(values.count) }
            }
            return out
        }
        /// The seasonal period that scales MASE and RMSSE in every fold: the primary period of the
        /// first fold's model (given by `config`, or detected from that fold's training data; 1
        /// when there is none).
        public var seasonalPeriod: Int
        /// The folds' notes from `fit` (a shortened setting, dropout without stacked layers, ...),
        /// each once, in the order first seen.
        public var warnings: [String] = []

        /// The mean over folds of `metric` for `model`, or nil where it is undefined in every fold.
        ///
        ///     let mase = try Backtest.run(series, config: config, folds: 4).score(.mase, of: .network)
        public func score(_ metric: Metric, of model: ForecastSource = .combination) -> Double? {
            overall[model]?[metric]
        }
    }

    /// Runs `folds` folds. With `refit` false the network is trained once, on the first fold's data,
    /// and only its inputs move forward. `unobserved`: positions of `series`' target that were
    /// filled in, not observed (`SeriesLoader.Result.filledTargets`): trained on, never scored as
    /// actuals nor counted in MASE's and RMSSE's in-sample scale.
    ///
    /// `progress` is called after every evaluation round of training. Inside an `async` function
    /// Swift picks the asynchronous overload (same arguments): `try await Backtest.run(...)`.
    ///
    /// - Throws: `ForecastError` `data` for a series that is not valid (`TimeSeries/validate()`),
    ///   `configuration` for too few points, `training` when training diverges.
    public static func run(_ series: TimeSeries, config: ForecasterConfig, folds: Int, refit: Bool = true,
                           levels: [Double] = [0.8, 0.95], unobserved: [Int] = [],
                           progress: (@Sendable (EpochReport) -> Void)? = nil) throws -> Result {
        try run(series, config: config, folds: folds, refit: refit, levels: levels, hooks: TrainingHooks(onEpoch: progress),
                unobserved: unobserved)
    }

    /// Runs the folds off the calling task (on their own thread); cancelling the task stops the
    /// fold's training after the current batch and throws a `ForecastError` of kind `interrupted`
    /// (no partial result).
    ///
    ///     let task = Task { try await Backtest.run(series, config: ForecasterConfig(horizon: 12), folds: 4) }
    ///     task.cancel()
    public static func run(_ series: TimeSeries, config: ForecasterConfig, folds: Int, refit: Bool = true,
                           levels: [Double] = [0.8, 0.95], unobserved: [Int] = [],
                           progress: (@Sendable (EpochReport) -> Void)? = nil) async throws -> Result {
        try await runOffTask("the backtest", progress: progress) { hooks in
            try run(series, config: config, folds: folds, refit: refit, levels: levels, hooks: hooks, unobserved: unobserved)
        }
    }

    /// `run` with a stop request: throws `ForecastError` of kind `interrupted` when
    /// `hooks.shouldStop` asks to stop (training then ends early, so no fold from that point on
    /// would be scored with a fully trained network: nothing is returned).
    package static func run(_ series: TimeSeries, config: ForecasterConfig, folds: Int, refit: Bool,
                            levels: [Double], hooks: TrainingHooks, unobserved: [Int] = []) throws -> Result {
        guard folds >= 1 else { throw ForecastError.configuration("folds must be at least 1, got \(folds)") }
        try series.validate()
        let H = config.horizon
        let firstOrigin = series.count - folds * H
        guard firstOrigin > H else {
            throw ForecastError.configuration("\(folds) folds of \(H) points need more than \((folds + 1) * H) points; the series has \(series.count)")
        }
        let models: [ForecastSource] = [.combination, .network] + Baseline.allCases.map { .model($0) }
        var result = Result(folds: [], models: models, overall: [:], coverage: [:], seasonalPeriod: 1)
        var fixed: Forecaster?
        var observed: [Int] = []   // per fold, the points scored (not filled in)
        for k in 0..<folds {
            let origin = firstOrigin + k * H
            let train = series.prefix(origin)
            let (insample, actual) = scoredParts(series.target, origin: origin, horizon: H, unobserved: unobserved)
            observed.append(actual.filter { !$0.isNaN }.count)
            var warnings: [String] = []
            let model: Forecaster
            let stop = { hooks.shouldStop?() == true }
            if stop() { throw ForecastError.interrupted("the backtest in fold \(k + 1)") }
            if let fixed, !refit { model = fixed } else {
                do {
                    model = try Forecaster.fit([train], config: config, hooks: hooks, warnings: &warnings)
                } catch let e as ForecastError where e.kind == .interrupted {
                    _ = e
                    throw ForecastError.interrupted("the backtest in fold \(k + 1)")
                }
                if stop() || model.summary.interrupted { throw ForecastError.interrupted("the backtest in fold \(k + 1)") }
                fixed = model
                for w in warnings where !result.warnings.contains(w) { result.warnings.append(w) }
            }
            if k == 0 { result.seasonalPeriod = model.config.seasonalPeriod ?? 1 }
            let m = result.seasonalPeriod
            let fc = try model.predict(horizon: H, history: [train], future: [series], intervals: levels, shouldStop: stop)[0]
            let alone = try model.predict(horizon: H, history: [train], future: [series], source: .network, shouldStop: stop)[0]
            var predictions: [(ForecastSource, [Double])] = [(.combination, fc.values), (.network, alone.values)]
            // The statistical models as the combination runs them: with the model's seasonal
            // periods (given or detected), seasonal naive with the series' baseline period.
            for b in Baseline.allCases {
                predictions.append((.model(b), model.statisticalForecast(b, history: train.target, horizon: H, state: model.series[0])))
            }
            var scores: [ForecastSource: [Metric: Double]] = [:]
            for (source, p) in predictions {
                var values: [Metric: Double] = [:]
                for metric in metrics {
                    // Absent where undefined, and where not finite (a NaN forecast has no score).
                    if let v = metric.finiteValue(actual: actual, predicted: p, insample: insample, period: m,
                                                  skippingMissing: true) {
                        values[metric] = v
                    }
                }
                scores[source] = values
            }
            var coverage: [Double: Double] = [:], winkler: [Double: Double] = [:]
            // Bounds of NaN (a NaN forecast, or no calibration residuals) leave both undefined.
            for band in fc.intervals {
                guard let s = band.scores(actual) else { continue }
                coverage[band.level] = s.coverage
                winkler[band.level] = s.winkler
            }
            result.folds.append(Fold(trainCount: origin, origin: series.timeFormat.date(series.times[origin]), originLabel: series.formattedTime(origin), scores: scores,
                                     coverage: coverage, winkler: winkler, forecast: fc.values, bands: fc.intervals))
        }
        for source in models {
            var avg: [Metric: Double] = [:]
            for metric in metrics {
                let values = result.folds.compactMap { $0.scores[source]?[metric] }
                if !values.isEmpty { avg[metric] = values.reduce(0, +) / Double(values.count) }
            }
            result.overall[source] = avg
        }
        // Pooled over the folds' observed points (the mean over folds when every point is observed).
        for level in levels {
            let pairs = zip(result.folds, observed).compactMap { f, n in f.coverage[level].map { ($0, Double(n)) } }
            let points = pairs.reduce(0) { $0 + $1.1 }
            guard points > 0 else { continue }
            result.coverage[level] = Set(pairs.map(\.1)).count == 1
                ? pairs.reduce(0) { $0 + $1.0 } / Double(pairs.count)   // equal weights: the plain mean, as it always was
                : pairs.reduce(0) { $0 + $1.0 * $1.1 } / points
        }
        return result
    }

    /// The in-sample part `target[..<origin]` and the actuals `target[origin..<origin + horizon]`
    /// of a score, with the `unobserved` positions (filled in, not observed) set to NaN: the scores
    /// leave those actuals out (`Metric.finiteValue(skippingMissing:)`, `PredictionInterval.scores`),
    /// and MASE's and RMSSE's in-sample scale the differences with them.
    package static func scoredParts(_ target: [Double], origin: Int, horizon: Int,
                                    unobserved: [Int]) -> (insample: [Double], actual: [Double]) {
        var insample = Array(target[..<origin]), actual = Array(target[origin..<(origin + horizon)])
        for p in unobserved where p < origin + horizon {
            if p >= origin { actual[p - origin] = .nan } else { insample[p] = .nan }
        }
        return (insample, actual)
    }
}
